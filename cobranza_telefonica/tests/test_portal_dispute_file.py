import base64
from datetime import timedelta

from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from ..models.cobranza_portal import ATTACHMENT_MAX_BYTES
from .common import CobranzaCommon
from .test_portal import CSRF_RE

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestPortalDisputeFile(CobranzaCommon, AccountTestInvoicingHttpCommon):
    """A dispute from the collection page may carry a file (PDF or image, at most 5 MB): kept as
    an attachment of the document, in its chatter, readable by the collector and not by a user
    without access to invoices; anything else is refused with a message and writes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.customer.lang = "en_US"
        cls.customer.with_company(cls.company).cobranza_collector_id = cls.collector
        cls.invoice = cls._invoice(cls.customer, 100000, cls.TODAY - timedelta(days=20))

    def setUp(self):
        super().setUp()
        self.enterContext(self._clock_at(self.TODAY))
        self.customer._cobranza_portal_ensure_token(self.company)

    def _dispute(self, filename=None, content=None, mimetype="application/octet-stream"):
        token = self.customer.sudo().cobranza_portal_token
        page = self.url_open(f"/cobranza/{self.customer.id}?access_token={token}")
        self.assertIn('enctype="multipart/form-data"', page.text)
        data = {
            "csrf_token": CSRF_RE.search(page.text).group(1),
            "access_token": token,
            "move_id": self.invoice.id,
            "kind": "defective",
            "comment": "Llegó roto",
        }
        files = {"attachment": (filename, content, mimetype)} if filename else None
        return self.url_open(f"/cobranza/{self.customer.id}/dispute", data=data, files=files)

    def _attachments(self):
        return (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", "account.move"), ("res_id", "=", self.invoice.id)])
        )

    def _counts(self):
        self.env.invalidate_all()
        return {
            "attachments": self.env["ir.attachment"].sudo().search_count([]),
            "messages": self.env["mail.message"].sudo().search_count([]),
            "contacts": self.env["cobranza.contact"].sudo().search_count([]),
            "disputed": self.env["account.move"].search_count([("cobranza_dispute", "=", True)]),
        }

    def test_dispute_with_pdf(self):
        before = self._attachments()
        response = self._dispute("C:\\Documentos\\guia_despacho.pdf", PDF, "application/pdf")
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertTrue(self.invoice.cobranza_dispute)
        attachment = self._attachments() - before
        self.assertRecordValues(
            attachment, [{"name": "guia_despacho.pdf", "mimetype": "application/pdf", "raw": PDF}]
        )
        message = self.invoice.message_ids.filtered(lambda m: "collection page" in str(m.body))
        self.assertEqual(message.attachment_ids, attachment)
        self.assertIn("file attached: guia_despacho.pdf", str(message.body))
        self.assertFalse(self.customer.message_ids.attachment_ids, "the file stays on the document")
        # The collector sees it on the invoice; a user without access to invoices does not.
        seen = (
            self.env["ir.attachment"]
            .with_user(self.collector)
            .search([("res_model", "=", "account.move"), ("res_id", "=", self.invoice.id)])
        )
        self.assertIn(attachment, seen)
        self.assertEqual(attachment.with_user(self.collector).raw, PDF)
        hidden = (
            self.env["ir.attachment"]
            .with_user(self.plain_user)
            .search([("res_model", "=", "account.move"), ("res_id", "=", self.invoice.id)])
        )
        self.assertFalse(hidden)

    def test_dispute_with_image_named_anything(self):
        """The type is told by the content: a PNG named .pdf is kept as an image."""
        response = self._dispute("foto.pdf", PNG, "application/pdf")
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(self._attachments().mimetype, "image/png")

    def test_dispute_file_refused(self):
        counts = self._counts()
        cases = {
            "too large": ("grande.pdf", PDF + b"0" * (ATTACHMENT_MAX_BYTES + 1 - len(PDF)), "at most 5 MB"),
            "not a PDF or an image": (
                "programa.pdf",
                b"MZ\x90\x00" + b"\x00" * 200,
                "Attach a PDF or an image",
            ),
            "text": ("nota.txt", b"hola, no pagaremos", "Attach a PDF or an image"),
        }
        for label, (name, content, error) in cases.items():
            with self.subTest(label):
                response = self._dispute(name, content)
                self.assertEqual(response.status_code, 400, label)
                self.assertIn("o_cobranza_portal_error", response.text)
                self.assertIn(error, response.text)
                self.assertEqual(self._counts(), counts, label)
        self.assertFalse(self.invoice.cobranza_dispute)

    def test_dispute_without_file(self):
        before = self._attachments()
        response = self._dispute()
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertTrue(self.invoice.cobranza_dispute)
        self.assertEqual(self._attachments(), before)
        self.assertFalse(self.invoice.message_ids.attachment_ids)
