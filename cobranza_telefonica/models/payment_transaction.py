from odoo import fields, models


class PaymentTransaction(models.Model):
    """A payment started on a customer's collection page remembers the customer, so that once
    Odoo confirms and posts it the page's log and chatter note follow."""

    _inherit = "payment.transaction"

    cobranza_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Collection page of",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer whose collection page started this payment.",
    )

    def _post_process(self):
        """After Odoo's post-processing (payment posted and reconciled with the invoices): the
        collection page's payments are logged and noted in the customer's chatter."""
        result = super()._post_process()
        paid = self.filtered(lambda tx: tx.state == "done" and tx.cobranza_partner_id and tx.payment_id)
        if paid:
            self.env["cobranza.portal"].sudo()._cobranza_portal_paid(paid.sudo())
        return result
