from odoo import fields, models


class CobranzaObjection(models.Model):
    """A common objection a debtor raises during a call, with the answer we suggest."""

    _name = "cobranza.objection"
    _description = "Collection objection"
    _order = "sequence, id"

    name = fields.Char(string="Objection", required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(comodel_name="res.company", index=True)
    answer = fields.Text(string="Suggested answer", required=True)
    outcome = fields.Selection(
        selection=[
            ("promise", "Promise to pay"),
            ("payment_plan", "Payment plan"),
            ("dispute", "Dispute"),
            ("already_paid", "Already paid"),
            ("refuses", "Refuses"),
            ("call_back", "Call back"),
        ],
        string="Usual outcome",
    )
