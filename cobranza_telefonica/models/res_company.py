from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
    cobranza_promise_reminder_days = fields.Integer(
        string="Promise reminder (days before)",
        default=1,
        help="The customer gets the reminder e-mail this many days before the promised date.",
    )
    cobranza_promise_grace_days = fields.Integer(
        string="Promise grace (days)",
        default=2,
        help="Payments dated up to this many days after the promised date still keep the promise.",
    )
    cobranza_promise_horizon_days = fields.Integer(
        string="Promise horizon (days)",
        default=60,
        help="A single promise may not be dated further away than this; longer arrangements are "
        "payment plans.",
    )

    @api.constrains(
        "cobranza_promise_reminder_days", "cobranza_promise_grace_days", "cobranza_promise_horizon_days"
    )
    def _check_cobranza_promise_days(self):
        for company in self:
            if (
                company.cobranza_promise_reminder_days < 0
                or company.cobranza_promise_grace_days < 0
                or company.cobranza_promise_horizon_days < 1
            ):
                raise ValidationError(
                    self.env._(
                        "Promise settings: reminder and grace days cannot be negative and the horizon "
                        "must be at least one day."
                    )
                )
