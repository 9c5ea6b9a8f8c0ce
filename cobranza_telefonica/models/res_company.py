from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    cobranza_default_collector_id = fields.Many2one(
        comodel_name="res.users",
        string="Default collector",
        check_company=True,
        domain="[('share', '=', False)]",
        help="Collects the invoices of customers that have no collector of their own and whose "
        "salesperson is not a collector.",
    )
