from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cobranza_promise_reminder_days = fields.Integer(
        related="company_id.cobranza_promise_reminder_days", readonly=False
    )
    cobranza_promise_grace_days = fields.Integer(
        related="company_id.cobranza_promise_grace_days", readonly=False
    )
    cobranza_promise_horizon_days = fields.Integer(
        related="company_id.cobranza_promise_horizon_days", readonly=False
    )

    cobranza_rating_email = fields.Boolean(related="company_id.cobranza_rating_email", readonly=False)
    cobranza_count_unanswered_calls = fields.Boolean(
        related="company_id.cobranza_count_unanswered_calls", readonly=False
    )
    cobranza_default_collector_id = fields.Many2one(
        related="company_id.cobranza_default_collector_id", readonly=False
    )

    cobranza_discount_method = fields.Selection(related="company_id.cobranza_discount_method", readonly=False)
    cobranza_discount_account_id = fields.Many2one(
        related="company_id.cobranza_discount_account_id", readonly=False
    )
    cobranza_discount_post = fields.Boolean(related="company_id.cobranza_discount_post", readonly=False)

    cobranza_portal_token_days = fields.Integer(
        related="company_id.cobranza_portal_token_days", readonly=False
    )
    cobranza_portal_max_actions = fields.Integer(
        related="company_id.cobranza_portal_max_actions", readonly=False
    )

    cobranza_receipt_email = fields.Char(related="company_id.cobranza_receipt_email", readonly=False)
