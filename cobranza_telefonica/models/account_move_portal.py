import base64

from odoo import fields, models

# Why a customer disputes a document on its collection page.
DISPUTE_KINDS = [
    ("not_received", "Goods or service not received"),
    ("wrong_amount", "Wrong amount or price"),
    ("defective", "Defective goods or service"),
    ("already_paid", "Already paid"),
    ("credit_note", "A credit note is pending"),
    ("other", "Other reason"),
]


# Kept apart from the main class so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class AccountMove(models.Model):
    _inherit = "account.move"

    cobranza_dispute_kind = fields.Selection(
        selection=DISPUTE_KINDS,
        string="Dispute reason (customer)",
        copy=False,
        readonly=True,
        help="The reason the customer chose on its collection page.",
    )

    def _cobranza_portal_link(self):
        """The link to the collection page of this document's customer (for e-mails and letters)."""
        self.ensure_one()
        return self.commercial_partner_id._cobranza_portal_url(self.company_id)

    def _cobranza_portal_qr(self, link):
        """The QR code of ``link`` as an image data URI (printed on the letter)."""
        png = self.env["ir.actions.report"].barcode("QR", link, width=280, height=280)
        return "data:image/png;base64," + base64.b64encode(png).decode()
