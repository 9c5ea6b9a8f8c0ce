from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cobranza_default_collector_id = fields.Many2one(
        related="company_id.cobranza_default_collector_id", readonly=False
    )
