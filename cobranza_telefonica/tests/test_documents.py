import io
import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import format_amount
from odoo.tools.pdf import PdfFileReader

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import CobranzaCommon

STATEMENT = "cobranza_telefonica.report_customer_statement"
LETTER = "cobranza_telefonica.report_cobranza_letter"


class DocumentsCommon(CobranzaCommon):
    """A customer with two overdue invoices and one not yet due, an open promise, a collector,
    a postal address in a region, and a company with a RUT and a bank account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_419")
        cls.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        cls.company.write({"vat": "77340975-7", "phone": "+56 2 2999 0000", "email": "cobranza@empresa.cl"})
        bank = cls.env["res.bank"].create({"name": "Banco de Chile"})
        cls.env["res.partner.bank"].create(
            {"partner_id": cls.company.partner_id.id, "bank_id": bank.id, "acc_number": "00-123-45678-09"}
        )
        cls.collector.partner_id.write(
            {
                "phone": "+56 9 8765 4321",
                "email": "maria.collector@empresa.cl",
                "function": "Jefa de cobranza",
            }
        )
        cls.collector.name = "María Cobradora"
        cls.customer.write(
            {
                "lang": "es_419",
                "street": "Av. Brasil 1234",
                "city": "Viña del Mar",
                "state_id": cls.env.ref("base.state_cl_05").id,
            }
        )
        cls.customer.with_company(cls.company).cobranza_collector_id = cls.collector
        today = cls.TODAY
        cls.old = cls._invoice(cls.customer, 120000, today - timedelta(days=40))
        cls.recent = cls._invoice(cls.customer, 80500, today - timedelta(days=5), doc_code="34")
        cls.not_due = cls._invoice(cls.customer, 55000, today + timedelta(days=10))
        with freeze_time(cls.at_noon(today)):
            cls.promise = cls.env["cobranza.promise"].create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": cls.company.id,
                    "date": today + timedelta(days=4),
                    "line_ids": [Command.create({"move_id": cls.old.id, "amount": 60000})],
                }
            )

    def _html(self, report, records, user=None):
        """The report's HTML, its tags kept (to find its parts by class), the values' own markup
        (the monetary widget's span) dropped so that figures read as printed."""
        with freeze_time(self.at_noon(self.TODAY)), self._clock_at(self.TODAY, hour=12):
            reports = self.env["ir.actions.report"].with_user(user or self.env.user)
            html = reports._render_qweb_html(report, records.ids)[0].decode()
        return re.sub(r'<span class="oe_currency_value">([^<]*)</span>', r"\1", html)

    def _money(self, amount, lang="es_419"):
        return format_amount(self.env(context={"lang": lang}), amount, self.currency)

    def _overdue_independently(self):
        """What the customer owes past due on TODAY, from the invoices themselves."""
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.customer.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("invoice_date_due", "<", self.TODAY),
            ]
        )
        return invoices, sum(invoices.mapped("amount_residual"))


@tagged("post_install", "-at_install")
class TestCustomerDocuments(DocumentsCommon):
    def test_letter_lists_every_overdue_document(self):
        overdue, total = self._overdue_independently()
        self.assertEqual(overdue, self.old | self.recent)
        self.assertEqual(total, 200500)
        # Printed from both invoices: still one letter for the customer.
        html = self._html(LETTER, self.old | self.recent)
        self.assertEqual(html.count('class="page o_cobranza_letter"'), 1)
        lines = html[html.index("o_cobranza_letter_lines") : html.index("o_cobranza_letter_total")]
        for move in overdue:
            self.assertIn(move.l10n_latam_document_number, lines)
            self.assertIn(move.l10n_latam_document_type_id.name, lines)
            self.assertIn(move.invoice_date_due.strftime("%d/%m/%Y"), lines)
        self.assertNotIn(self.not_due.l10n_latam_document_number, lines, "not yet due: not in the letter")
        self.assertIn(">40<", lines.replace(" ", ""))
        total_row = html[html.index("o_cobranza_letter_total") :]
        self.assertIn(self._money(total), total_row[:600])
        self.assertEqual(self._money(total).replace("\xa0", " "), "$ 200.500")
        with self._clock_at(self.TODAY, hour=12):
            figure = self.env["cobranza.receivable"]._cobranza_figure(self.customer, self.company)
        self.assertEqual(figure.overdue, total, "the letter's total is the receivable figure")
        # The debtor's address block: RUT with dots, the region's name.
        address = html[html.index("o_cobranza_letter_address") :][:800]
        self.assertIn("76.201.224-3", address)
        self.assertIn("Av. Brasil 1234", address)
        self.assertIn("Viña del Mar", address)
        self.assertIn("Valparaíso", address, "the region's name, not its code")
        # Payment instructions: the bank account, the collection page's link and its QR code.
        self.assertIn("00-123-45678-09", html)
        self.assertIn("Banco de Chile", html)
        self.assertIn("77.340.975-7", html)
        with self._clock_at(self.TODAY, hour=12):
            self.assertIn(self.old._cobranza_portal_link(), html, "the link printed is still valid")
        self.assertIn("data:image/png;base64,", html)
        # The signature: the customer's collector, with the title, in Spanish.
        signature = html[html.index("o_cobranza_letter_signature") :]
        self.assertIn("María Cobradora", signature)
        self.assertIn("Jefa de cobranza", signature)
        self.assertIn("maria.collector@empresa.cl", signature)
        self.assertIn("Carta de cobranza", html)
        self.assertIn("Total vencido", html)
        self.assertIn("de marzo de 2026", html)

    def test_letter_in_english_and_signed_by_the_company(self):
        self.customer.lang = "en_US"
        self.customer.with_company(self.company).cobranza_collector_id = False
        html = self._html(LETTER, self.recent)
        self.assertIn("Collection letter", html)
        self.assertIn("Total overdue", html)
        self.assertNotIn("Total vencido", html)
        self.assertIn("March 16, 2026", html)
        self.assertIn(
            self.old.l10n_latam_document_number, html, "every overdue document, not only the printed one"
        )
        signature = html[html.index("o_cobranza_letter_signature") :]
        self.assertIn(self.company.name, signature)
        self.assertIn("Collections department", signature)
        self.assertIn("cobranza@empresa.cl", signature)

    def test_one_letter_per_customer_and_one_contact(self):
        other = self._invoice(self.customer_b, 30000, self.TODAY - timedelta(days=12))
        html = self._html(LETTER, self.old | other | self.recent)
        self.assertEqual(html.count('class="page o_cobranza_letter"'), 2)
        with freeze_time(self.at_noon(self.TODAY)), self._clock_at(self.TODAY, hour=12):
            action = (self.old | self.recent).with_user(self.collector).action_cobranza_print_letter()
        self.assertEqual(action["report_name"], LETTER)
        contacts = self.env["cobranza.contact"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(contacts.mapped("channel"), ["letter"], "one letter, one contact")

    def test_access(self):
        """A collector prints both (the whole account, whoever took the promises); a user
        without a collection group may not print the letter."""
        letter = self._html(LETTER, self.old, user=self.collector)
        self.assertIn(self.recent.l10n_latam_document_number, letter)
        self.assertIn("00-123-45678-09", letter)
        statement = self._html(STATEMENT, self.customer, user=self.collector)
        self.assertIn("Vigente", statement[statement.index("o_cobranza_statement_promises") :])
        with self.assertRaises(AccessError):
            self.old.with_user(self.plain_user).action_cobranza_print_letter()
        self.assertFalse(self.env["cobranza.contact"].search([("partner_id", "=", self.customer.id)]))

    def test_statement(self):
        html = self._html(STATEMENT, self.customer)
        self.assertIn("76.201.224-3", html)
        address = html[html.index("o_cobranza_statement_address") :][:800]
        self.assertIn("Viña del Mar", address)
        self.assertIn("Valparaíso", address, "the region's name, not its code")
        self.assertIn("16/03/2026", html)
        for move in self.old | self.recent | self.not_due:
            self.assertIn(move.l10n_latam_document_number, html)
            self.assertIn(move.invoice_date_due.strftime("%d/%m/%Y"), html)
        total = sum((self.old | self.recent | self.not_due).mapped("amount_residual"))
        self.assertIn(self._money(total), html)
        self.assertIn("00-123-45678-09", html)
        self.assertIn("Banco de Chile", html)
        self.assertIn("77.340.975-7", html)
        promises = html[html.index("o_cobranza_statement_promises") :][:1500]
        self.assertIn((self.TODAY + timedelta(days=4)).strftime("%d/%m/%Y"), promises)
        self.assertIn(self._money(60000), promises)
        self.assertIn("Vigente", promises)
        contact = html[html.index("o_cobranza_statement_contact") :][:800]
        self.assertIn("María Cobradora", contact)
        self.assertIn("+56 9 8765 4321", contact)
        self.assertIn("maria.collector@empresa.cl", contact)
        self.assertIn("Saldo", html)
        self.assertNotIn(">Balance<", html)
        self.assertIn("Promesas de pago abiertas", html)

    def test_statement_in_english(self):
        self.customer.lang = "en_US"
        html = self._html(STATEMENT, self.customer)
        self.assertIn(">Balance<", html)
        self.assertIn("Open promises to pay", html)
        self.assertNotIn("Saldo", html)
        self.assertIn("16/03/2026", html, "dd/mm/yyyy in every language")
        self.assertIn("Open", html[html.index("o_cobranza_statement_promises") :][:1500])


@tagged("post_install", "-at_install")
class TestCustomerDocumentsPdf(DocumentsCommon, AccountTestInvoicingHttpCommon):
    def test_pdf(self):
        with freeze_time(self.at_noon(self.TODAY)), self._clock_at(self.TODAY, hour=12):
            for report, records in ((LETTER, self.old | self.recent), (STATEMENT, self.customer)):
                pdf, kind = (
                    self.env["ir.actions.report"]
                    .with_context(force_report_rendering=True)
                    ._render_qweb_pdf(report, records.ids)
                )
                with self.subTest(report=report):
                    self.assertEqual(kind, "pdf")
                    self.assertTrue(pdf.startswith(b"%PDF-"))
                    self.assertGreaterEqual(len(PdfFileReader(io.BytesIO(pdf)).pages), 1)
