from odoo import fields, models


class CobranzaDiscountTier(models.Model):
    """One early-payment tier of a rule: ``percent`` off an instalment paid ``days_before`` or more
    days before its due date."""

    _name = "cobranza.discount.tier"
    _description = "Early-payment discount tier"
    _order = "rule_id, days_before desc, id"
    _check_company_auto = True

    rule_id = fields.Many2one(
        comodel_name="cobranza.discount.rule", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="rule_id.company_id", store=True, index=True)
    days_before = fields.Integer(
        string="Days before due date",
        required=True,
        help="Paid this many days or more before the instalment's due date.",
    )
    percent = fields.Float(string="Discount (%)", required=True, digits=(5, 2))
