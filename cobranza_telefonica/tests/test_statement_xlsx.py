import io

import openpyxl

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .test_aging import AgingCommon


@tagged("post_install", "-at_install")
class TestStatementXlsx(AgingCommon):
    def test_statement_renders(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("cobranza_telefonica.report_customer_statement", self.customer.ids)[0]
            .decode()
        )
        self.assertIn("Ferretería Los Robles SpA", html)
        self.assertIn(self.inv1.l10n_latam_document_number, html)
        self.assertIn(self.doc_types["33"].name, html)
        self.assertIn(self.doc_types["34"].name, html)
        self.assertIn(f"/my/invoices/{self.inv1.id}?access_token=", html)
        self.assertNotIn(self.draft.name or "no-name", html)
        values = self.env["report.cobranza_telefonica.report_customer_statement"]._statement_values(
            self.customer
        )
        self.assertEqual(values["lines"].move_id, self.inv1 | self.inv2 | self.inv_usd)
        self.assertEqual(values["total"], 600000 + 300000 + 54000)
        self.assertEqual(sum(amount for _key, _label, amount in values["buckets"]), values["total"])
        self.assertEqual({key: amount for key, _label, amount in values["buckets"]}["over_120"], 954000)

    def test_statement_in_spanish(self):
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        self.customer.lang = "es_419"
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("cobranza_telefonica.report_customer_statement", self.customer.ids)[0]
            .decode()
        )
        self.assertIn("Estado de cuenta", html)
        self.assertIn("Más de 120 días", html)

    def test_xlsx_by_customer(self):
        content = (
            self.env["cobranza.aging.xlsx"]
            .with_context(allowed_company_ids=self.company.ids)
            ._xlsx_by_customer([("company_id", "=", self.company.id)])
        )
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:5], ("Customer", "RUT", "Company", "Currency", "Not yet due"))
        self.assertEqual(rows[0][-1], "Total")
        by_name = {row[0]: row for row in rows[1:-1]}
        self.assertEqual(set(by_name), {self.customer.display_name})
        self.assertEqual(by_name[self.customer.display_name][3], "CLP")
        self.assertEqual(by_name[self.customer.display_name][-1], 954000)
        self.assertEqual(rows[-1][0], "Total CLP")
        self.assertEqual(rows[-1][-1], f"=SUMIF($D$2:$D${len(rows) - 1},D{len(rows)},K$2:K${len(rows) - 1})")
        values = openpyxl.load_workbook(io.BytesIO(content), data_only=True).active
        self.assertEqual(values.cell(row=len(rows), column=11).value, 954000)


@tagged("post_install", "-at_install")
class TestAgingUi(AgingCommon, AccountTestInvoicingHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_manager = new_test_user(
            cls.env,
            login="tour_manager",
            password="tour_manager",
            groups="base.group_user,cobranza_telefonica.group_cobranza_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def test_xlsx_download(self):
        """The download takes the switcher's companies from the web client's cookie (or ``cids``),
        never a company the user does not work for."""
        self.authenticate("tour_manager", "tour_manager")
        other = self.env["res.company"].create({"name": "Otra Empresa SpA", "currency_id": self.usd.id})
        for query in (
            "",
            f"?cids={self.company.id}",
            f"?cids={other.id}-{self.company.id}",
            f"?cids={other.id}",
        ):
            with self.subTest(query=query):
                response = self.url_open(f"/cobranza/aging/by-customer.xlsx{query}")
                self.assertEqual(response.status_code, 200)
                self.assertIn("spreadsheetml", response.headers["Content-Type"])
                sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
                self.assertEqual(sheet["A2"].value, self.customer.display_name)
                self.assertEqual(
                    {row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[2]},
                    {self.company.name},
                )
        self.opener.cookies.set("cids", str(self.company.id))
        response = self.url_open("/cobranza/aging/by-customer.xlsx")
        self.assertEqual(
            openpyxl.load_workbook(io.BytesIO(response.content)).active["C2"].value, self.company.name
        )
