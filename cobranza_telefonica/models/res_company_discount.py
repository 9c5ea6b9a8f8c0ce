from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    cobranza_discount_post = fields.Boolean(
        string="Post discount credit notes",
        default=True,
        help="Post the credit note (DTE 61) of an applied discount at once; otherwise it is left "
        "in draft for the accountant, and the invoice stays open until it is posted.",
    )
