from odoo import fields, models


class CobranzaPromiseLine(models.Model):
    """The part of a promise that falls on one invoice."""

    _name = "cobranza.promise.line"
    _description = "Promise to pay: invoice"
    _check_company_auto = True

    promise_id = fields.Many2one(
        comodel_name="cobranza.promise", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="promise_id.company_id", store=True)
    currency_id = fields.Many2one(related="promise_id.currency_id")
    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        required=True,
        index=True,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
    )
    amount = fields.Monetary(string="Amount promised", required=True)
