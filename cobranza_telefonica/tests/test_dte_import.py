import base64
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_followup import FollowupCommon

DATA = Path(__file__).parent / "data" / "dte"


def read(name):
    return (DATA / name).read_bytes()


class DteCommon(FollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.vat = "76086428-5"
        cls.company.account_sale_tax_id = cls.env["account.tax"].search(
            [
                ("company_id", "=", cls.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount", "=", 19),
                ("amount_type", "=", "percent"),
                ("price_include", "=", False),
            ],
            limit=1,
        )
        cls.doc_types.update(
            {
                doc.code: doc
                for doc in cls.env["l10n_latam.document.type"]
                .with_context(active_test=False)
                .search([("country_id.code", "=", "CL"), ("code", "in", ("110", "43"))])
            }
        )

    def _import(self, *files, user=None, lang=None):
        """Import ``files`` ((name, bytes) pairs) as a collection manager; return the wizard."""
        user = user or self.manager
        context = dict(self.env.context, allowed_company_ids=self.company.ids)
        if lang:
            context["lang"] = lang
        env = self.env(user=user, context=context)
        attachments = env["ir.attachment"].create(
            [
                {"name": name, "datas": base64.b64encode(data), "res_model": "cobranza.dte.import"}
                for name, data in files
            ]
        )
        wizard = env["cobranza.dte.import"].create(
            {"company_id": self.company.id, "attachment_ids": [(6, 0, attachments.ids)]}
        )
        wizard.action_import()
        return wizard

    def _rows(self, wizard):
        return [(line.doc_type, line.folio, line.result) for line in wizard.line_ids]

    def _by_folio(self, wizard):
        return {(line.doc_type, line.folio): line for line in wizard.line_ids}

    def _find(self, code, folio):
        return self.env["account.move"]._cobranza_find_dte(self.company, self.doc_types[code], folio)


@tagged("post_install", "-at_install")
class TestDteImport(DteCommon):
    def test_envio_creates_drafts_with_the_xml_totals(self):
        wizard = self._import(("envio.xml", read("envio_ns_iso88591.xml")))
        self.assertEqual(
            self._rows(wizard),
            [("33", "1001", "created"), ("34", "2001", "created"), ("61", "301", "created")],
        )
        invoice, exempt, credit = wizard.line_ids.move_id
        self.assertEqual(invoice.name, "FAC 001001")
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.partner_id, self.customer, "the customer is found by RUT")
        self.assertEqual(
            (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total), (100000, 19000, 119000)
        )
        self.assertEqual(invoice.invoice_date, date(2026, 2, 2))
        self.assertEqual(invoice.invoice_date_due, date(2026, 3, 4))
        self.assertEqual(invoice.l10n_latam_document_number, "001001")
        self.assertEqual(invoice.with_context(lang="en_US").cobranza_dte_label, "Electronic Invoice N° 1001")
        self.assertTrue(invoice.cobranza_dte_imported)
        self.assertEqual(invoice.cobranza_prescription_date, date(2027, 3, 4))
        self.assertEqual(len(invoice.invoice_line_ids), 2)
        self.assertEqual(
            invoice.invoice_line_ids.account_id, invoice.journal_id.default_account_id, "the journal's income"
        )
        self.assertEqual((exempt.name, exempt.amount_tax, exempt.amount_total), ("FNA 002001", 0, 50000))
        self.assertEqual(credit.move_type, "out_refund")
        self.assertEqual(credit.amount_total, 11900)
        self.assertEqual(credit.cobranza_dte_origin_id, invoice)
        self.assertEqual(credit.reversed_entry_id, invoice)
        self.assertFalse(credit.cobranza_dte_cancels_origin, "CodRef 3 corrects amounts, it does not cancel")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", invoice.id)]
        )
        self.assertEqual(attachment.name, "envio.xml")

    def test_reimport_changes_nothing(self):
        first = self._import(("envio.xml", read("envio_ns_iso88591.xml")))
        moves = first.line_ids.move_id
        count = self.env["account.move"].search_count([("company_id", "=", self.company.id)])
        attachments = self.env["ir.attachment"].search_count([("res_model", "=", "account.move")])
        again = self._import(("envio.xml", read("envio_ns_iso88591.xml")))
        self.assertEqual([line.result for line in again.line_ids], ["unchanged"] * 3)
        self.assertEqual(again.line_ids.move_id, moves)
        self.assertEqual(self.env["account.move"].search_count([("company_id", "=", self.company.id)]), count)
        self.assertEqual(
            self.env["ir.attachment"].search_count([("res_model", "=", "account.move")]), attachments
        )

    def test_match_existing_posted_invoice(self):
        invoice = self._invoice(self.customer, 100000, date(2026, 3, 4), date(2026, 2, 2))
        # The posted invoice's name is its folio: make it folio 1001, taxed 19% as the XML says.
        invoice.button_draft()
        invoice.invoice_line_ids.tax_ids = self.company.account_sale_tax_id
        invoice.name = "FAC 001001"
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 119000)
        wizard = self._import(("envio.xml", read("envio_ns_iso88591.xml")))
        rows = self._by_folio(wizard)
        self.assertEqual(rows[("33", "1001")].result, "matched")
        self.assertEqual(rows[("33", "1001")].move_id, invoice)
        self.assertTrue(invoice.cobranza_dte_imported)
        self.assertEqual(rows[("61", "301")].move_id.cobranza_dte_origin_id, invoice)
        self.assertIn("FAC 001001", rows[("61", "301")].message)

    def test_matched_invoice_with_other_total_or_customer_refused(self):
        invoice = self._invoice(self.customer, 100000, date(2026, 3, 4), date(2026, 2, 2))
        invoice.button_draft()
        invoice.name = "FAC 001001"
        invoice.action_post()  # no tax: 100.000 against the XML's 119.000
        other = self._invoice(self.customer_b, 50000, date(2026, 3, 7), date(2026, 2, 5), doc_code="34")
        other.button_draft()
        other.name = "FNA 002001"
        other.action_post()
        wizard = self._import(("envio.xml", read("envio_ns_iso88591.xml")))
        rows = self._by_folio(wizard)
        self.assertEqual(rows[("33", "1001")].result, "refused")
        self.assertIn("19000", rows[("33", "1001")].message.replace(".", ""))
        self.assertFalse(invoice.cobranza_dte_imported, "nothing written on a refused document")
        self.assertEqual(rows[("34", "2001")].result, "refused")
        self.assertIn("12533840-2", rows[("34", "2001")].message)
        self.assertIn("76201224-3", rows[("34", "2001")].message)
        # The credit note still comes in, even though its invoice was refused.
        self.assertEqual(rows[("61", "301")].result, "created")

    def test_bare_dte_windows_1252_and_cancelling_credit_note(self):
        wizard = self._import(
            ("portal.xml", read("dte_bare_cp1252.xml")), ("mixed.xml", read("envio_nons_utf8_mixed.xml"))
        )
        rows = self._by_folio(wizard)
        invoice = rows[("33", "1002")].move_id
        self.assertEqual(rows[("33", "1002")].result, "created")
        self.assertEqual(invoice.partner_id, self.customer_b)
        self.assertEqual(invoice.invoice_line_ids.name, "Asesoría “llave en mano” – febrero")
        self.assertEqual(invoice.amount_total, 238000)
        cancel = rows[("61", "302")].move_id
        self.assertEqual(rows[("61", "302")].result, "created")
        self.assertEqual(cancel.cobranza_dte_origin_id, invoice)
        self.assertTrue(cancel.cobranza_dte_cancels_origin)
        self.assertIn("FAC 001002", rows[("61", "302")].message)
        # one document's error never blocks the others
        self.assertEqual(rows[("56", "401")].result, "created")
        self.assertEqual(rows[("56", "401")].move_id.move_type, "out_invoice")
        self.assertEqual(rows[("56", "401")].move_id.amount_total, 5950)
        for key in (("33", "1003"), ("39", "5001"), ("33", "1004")):
            self.assertEqual(rows[key].result, "refused", key)
        self.assertFalse(self._find("33", 1003))
        self.assertFalse(self._find("33", 1004))

    def test_cancelled_invoice_leaves_the_followup(self):
        wizard = self._import(
            ("portal.xml", read("dte_bare_cp1252.xml")), ("mixed.xml", read("envio_nons_utf8_mixed.xml"))
        )
        rows = self._by_folio(wizard)
        invoice, cancel = (rows[key].move_id.with_env(self.env) for key in (("33", "1002"), ("61", "302")))
        other = self._invoice(self.customer_b, 5000, date(2026, 3, 1))  # the customer still owes
        invoice.action_post()
        self.assertNotIn(
            invoice.id, invoice._cobranza_exclusion_reasons(), "a draft credit note cancels nothing yet"
        )
        cancel.action_post()
        self.assertEqual(invoice._cobranza_exclusion_reasons(), {invoice.id: "dte_cancelled"})
        # Posted, the note (reversed_entry_id) wipes the invoice: nothing left to collect on it.
        self.assertEqual((invoice.payment_state, invoice.amount_residual), ("reversed", 0))
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run()
        self.assertEqual(run.evaluated_count, 1, "only the other invoice is followed up")
        self.assertFalse(invoice.cobranza_level_id)
        self.assertFalse(other.cobranza_excluded)

    def test_new_customer_created_by_rut(self):
        data = (
            read("dte_bare_cp1252.xml")
            .replace(b"12533840-2", b"77123456-9")
            .replace(b"Juan P\xe9rez Soto", b"Comercial Sur Ltda")
        )
        wizard = self._import(("new.xml", data))
        move = wizard.line_ids.move_id
        self.assertEqual(wizard.line_ids.result, "created")
        self.assertEqual(move.partner_id.name, "Comercial Sur Ltda")
        self.assertEqual(move.partner_id.vat, "77123456-9")

    def test_created_draft_with_other_totals_refused_and_undone(self):
        data = read("envio_ns_iso88591.xml")
        # The detail adds up to 99.000 while the totals say 100.000; the customer is a new one.
        data = data.replace(b"<MontoItem>70000</MontoItem>", b"<MontoItem>69000</MontoItem>", 1)
        data = data.replace(b"<PrcItem>35000</PrcItem>", b"<PrcItem>34500</PrcItem>", 1)
        data = data.replace(b"76201224-3", b"77123456-9")
        partners = self.env["res.partner"].search_count([])
        wizard = self._import(("envio.xml", data))
        rows = self._by_folio(wizard)
        self.assertEqual(rows[("33", "1001")].result, "refused")
        self.assertIn("1190", rows[("33", "1001")].message.replace(".", ""), "the difference: 1.190")
        self.assertFalse(self._find("33", 1001), "nothing half-written")
        self.assertEqual(rows[("34", "2001")].result, "created")
        self.assertEqual(rows[("34", "2001")].move_id.partner_id.vat, "77123456-9")
        self.assertEqual(
            self.env["res.partner"].search_count([]), partners + 1, "one new customer, kept once"
        )
        self.assertFalse(rows[("61", "301")].move_id.cobranza_dte_origin_id, "its invoice was refused")

    def test_document_twice_in_a_file(self):
        text = read("envio_nons_utf8_mixed.xml").decode()
        start, end = text.index("  <DTE"), text.index("</DTE>") + len("</DTE>\n")
        data = (text[:end] + text[start:end] + text[end:]).encode()
        wizard = self._import(("twice.xml", data))
        rows = [(line.doc_type, line.folio, line.result) for line in wizard.line_ids if line.doc_type == "56"]
        self.assertEqual(sorted(rows), [("56", "401", "created"), ("56", "401", "refused")])
        self.assertEqual(len(self._find("56", 401)), 1)

    def test_zip_of_files(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("dte/envio.xml", read("envio_ns_iso88591.xml"))
            archive.writestr("dte/portal.xml", read("dte_bare_cp1252.xml"))
            archive.writestr("leeme.txt", b"hola")
        wizard = self._import(("lote.zip", buffer.getvalue()))
        self.assertEqual(
            sorted((line.doc_type, line.folio, line.result) for line in wizard.line_ids),
            [
                ("", "", "refused"),
                ("33", "1001", "created"),
                ("33", "1002", "created"),
                ("34", "2001", "created"),
                ("61", "301", "created"),
            ],
        )

    def test_bad_files_are_refused_with_spanish_reasons(self):
        files = [
            ("bomb.xml", read("billion_laughs.xml")),
            ("xxe.xml", read("xxe.xml")),
            ("broken.xml", read("malformed.xml")),
            ("page.html", b"<html><body>Servicio no disponible</body></html>"),
            ("official.xml", read("sii_official_F60T33.xml")),
        ]
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        wizard = self._import(*files, lang="es_419")
        rows = {line.file_name: line for line in wizard.line_ids}
        self.assertEqual({line.result for line in wizard.line_ids}, {"refused"})
        self.assertIn("DOCTYPE", rows["bomb.xml"].message)
        self.assertIn("seguridad", rows["xxe.xml"].message)
        self.assertIn("XML", rows["broken.xml"].message)
        self.assertIn("html", rows["page.html"].message)
        # the SII's own example is valid, but issued by another company
        self.assertIn("97975000-5", rows["official.xml"].message)
        self.assertIn("76086428-5", rows["official.xml"].message)
        self.assertNotIn("Traceback", " ".join(wizard.line_ids.mapped("message")))

    def test_schema_checked_on_signed_files(self):
        data = read("sii_official_F60T33.xml").replace(
            b"<TipoDTE>33</TipoDTE>\n\t\t\t\t<Folio>60", b"<TipoDTE>33</TipoDTE>\n\t\t\t\t<Folio>-60"
        )
        wizard = self._import(("official.xml", data))
        self.assertEqual(wizard.line_ids.mapped("result"), ["refused"])

    def test_wizard_errors(self):
        wizard = (
            self.env["cobranza.dte.import"].with_user(self.manager).create({"company_id": self.company.id})
        )
        with self.assertRaises(UserError):
            wizard.action_import()
        with self.assertRaises(AccessError):
            self._import(("envio.xml", read("envio_ns_iso88591.xml")), user=self.collector)

    def test_sii_fields_cannot_be_forged(self):
        invoice = self._invoice(self.customer, 1000, date(2026, 3, 4))
        for vals in ({"cobranza_dte_ceded": True}, {"cobranza_sii_acceptance": "accepted"}):
            with self.assertRaises(UserError):
                invoice.with_user(self.manager).write(vals)
        self.assertFalse(invoice.cobranza_dte_ceded)


@tagged("post_install", "-at_install")
class TestDteCession(DteCommon):
    def test_cession_and_second_cession(self):
        self._import(("envio.xml", read("envio_ns_iso88591.xml")))
        invoice = self._find("33", 1001)
        wizard = self._import(("aec1.xml", read("aec_cesion_1.xml")))
        self.assertEqual(self._rows(wizard), [("33", "1001", "ceded")])
        self.assertTrue(invoice.cobranza_dte_ceded)
        self.assertEqual(
            (
                invoice.cobranza_dte_assignee_vat,
                invoice.cobranza_dte_assignee_name,
                invoice.cobranza_dte_cession_seq,
            ),
            ("96667560-8", "Factoring Andes S.A.", 1),
        )
        self.assertEqual(invoice.cobranza_dte_cession_date, datetime(2026, 2, 20, 11, 0))
        self.assertIn("Factoring Andes S.A.", invoice.with_context(lang="en_US")._cobranza_pay_to_text())
        invoice.action_post()
        html = str(
            self.env["ir.qweb"]
            .with_context(lang="en_US")
            ._render(
                "cobranza_telefonica.call_context", self.customer._cobranza_call_context(company=self.company)
            )
        )
        self.assertIn("Ceded to Factoring Andes S.A. (96667560-8)", " ".join(html.split()))
        values = self.customer.with_context(lang="en_US")._cobranza_script_values(company=self.company)
        (pay_to,) = values["pay_to"]
        self.assertIn("Factoring Andes S.A. (RUT 96667560-8)", pay_to)
        self.assertIn("N° 1001", pay_to)
        wizard = self._import(("aec2.xml", read("aec_cesion_2.xml")))
        self.assertEqual(self._rows(wizard), [("33", "1001", "ceded")])
        self.assertEqual(
            (invoice.cobranza_dte_assignee_name, invoice.cobranza_dte_cession_seq), ("Capital Sur SpA", 2)
        )
        # the first AEC again does not hand the invoice back to the first holder
        wizard = self._import(("aec1.xml", read("aec_cesion_1.xml")))
        self.assertEqual(self._rows(wizard), [("33", "1001", "unchanged")])
        self.assertEqual(invoice.cobranza_dte_assignee_name, "Capital Sur SpA")

    def test_cession_of_unknown_folio_refused(self):
        wizard = self._import(("aec1.xml", read("aec_cesion_1.xml")))
        self.assertEqual(self._rows(wizard), [("33", "1001", "refused")])
        self.assertIn("1001", wizard.line_ids.message)

    def test_ceded_and_claimed_invoices_leave_the_followup(self):
        ceded = self._invoice(self.customer, 1000, date(2026, 3, 1))
        claimed = self._invoice(self.customer, 2000, date(2026, 3, 1))
        accepted = self._invoice(self.customer, 3000, date(2026, 3, 1))
        ceded.sudo().cobranza_dte_ceded = True
        claimed.sudo().write({"cobranza_sii_acceptance": "claimed", "cobranza_sii_event": "RCD"})
        accepted.sudo().write(
            {
                "cobranza_sii_acceptance": "accepted",
                "cobranza_sii_event": "ACD",
                "cobranza_sii_event_date": date(2026, 2, 5),
            }
        )
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run()
        self.assertEqual(run.excluded_by_reason, {"sii": 2})
        self.assertEqual(
            [(m.cobranza_excluded, m.cobranza_exclusion_reason) for m in (ceded, claimed, accepted)],
            [(True, "sii"), (True, "sii"), (False, False)],
        )

    def test_emails_and_queue_name_the_dte_and_whom_to_pay(self):
        """The e-mail on the invoice still collected names it by type and folio in its subject and
        tells the customer whom to pay the ceded one; the queue's call names the document."""
        ceded = self._invoice(self.customer, 1000, date(2026, 3, 1))
        ceded.sudo().write(
            {
                "cobranza_dte_ceded": True,
                "cobranza_dte_assignee_name": "Factoring Andes S.A.",
                "cobranza_dte_assignee_vat": "96667560-8",
            }
        )
        collected = self._invoice(self.customer, 3000, date(2026, 3, 1))
        label = f"{collected.l10n_latam_document_type_id.name} N° {int(collected.l10n_latam_document_number)}"
        self.assertEqual(collected.cobranza_dte_label, label)
        with freeze_time("2026-03-16 15:00:00"):
            self._run()
        mail = self._mails(collected)
        self.assertEqual(len(mail), 1)
        self.assertIn(label, mail.subject)
        self.assertIn(ceded.cobranza_dte_label, str(mail.body_html))
        self.assertRegex(str(mail.body_html), r"Factoring Andes S\.A\. \(RUT 96667560-8\)")
        self.assertFalse(self._mails(ceded))
        call = self._calls(self.customer)
        self.assertEqual(len(call), 1)
        self.assertEqual(call.summary.split(": ", 1)[1], label, "the ceded invoice is not to be discussed")


@tagged("post_install", "-at_install")
class TestDteLawDates(DteCommon):
    def test_executive_merit_and_prescription(self):
        invoice = self._invoice(self.customer, 1000, date(2026, 3, 1), date(2026, 2, 1))
        self.assertFalse(invoice.cobranza_executive_merit_date, "unknown while the SII reception is unknown")
        self.assertEqual(invoice.cobranza_prescription_date, date(2027, 3, 1))
        invoice.sudo().cobranza_sii_reception_date = datetime(2026, 2, 2, 13, 5)
        self.assertEqual(invoice.cobranza_executive_merit_date, date(2026, 2, 10), "reception + 8 days")
        self.assertFalse(invoice._cobranza_has_executive_merit(date(2026, 2, 9)))
        self.assertTrue(invoice._cobranza_has_executive_merit(date(2026, 2, 10)))
        self.assertFalse(invoice._cobranza_has_executive_merit(date(2027, 3, 2)), "prescribed")
        invoice.sudo().write(
            {
                "cobranza_sii_acceptance": "accepted",
                "cobranza_sii_event": "ACD",
                "cobranza_sii_event_date": date(2026, 2, 4),
            }
        )
        self.assertEqual(invoice.cobranza_executive_merit_date, date(2026, 2, 4), "acceptance date")
        invoice.sudo().write(
            {
                "cobranza_sii_acceptance": "claimed",
                "cobranza_sii_event": "RCD",
                "cobranza_sii_event_date": date(2026, 2, 5),
            }
        )
        self.assertFalse(invoice.cobranza_executive_merit_date, "a claimed invoice has no executive merit")
