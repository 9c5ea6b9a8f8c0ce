from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..services import guardrails


class CobranzaGuardrail(models.Model):
    """How often and when a company may contact one type of debtor (Ley 21.320)."""

    _name = "cobranza.guardrail"
    _description = "Contact guardrail"
    _order = "company_id, debtor_type"

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )
    debtor_type = fields.Selection(
        selection=[("person", "Natural person"), ("company", "Company")], required=True
    )
    enabled = fields.Boolean(default=True, help="When off, this type of debtor can be contacted any time.")
    max_calls_per_week = fields.Integer(string="Calls or visits per week", default=1, help="0: no limit.")
    max_messages_per_week = fields.Integer(string="Messages per week", default=2, help="0: no limit.")
    min_days_between_messages = fields.Integer(string="Days between messages", default=2)
    hour_from = fields.Float(string="From", default=8.0)
    hour_to = fields.Float(string="To", default=20.0)
    allow_sunday = fields.Boolean(string="Sundays allowed")
    skip_holidays = fields.Boolean(string="Not on public holidays", default=True)

    _sql_constraints = [
        (
            "company_debtor_type_uniq",
            "unique(company_id, debtor_type)",
            "Each company has one guardrail per debtor type.",
        ),
    ]

    @api.constrains(
        "hour_from", "hour_to", "max_calls_per_week", "max_messages_per_week", "min_days_between_messages"
    )
    def _check_values(self):
        for rule in self:
            if not 0 <= rule.hour_from < rule.hour_to <= 24:
                raise ValidationError(
                    self.env._("The contact hours must go from an earlier to a later time of day.")
                )
            if min(rule.max_calls_per_week, rule.max_messages_per_week, rule.min_days_between_messages) < 0:
                raise ValidationError(self.env._("Contact limits cannot be negative."))

    def _to_rules(self):
        """The plain-Python rules of this record (defaults of the law when empty)."""
        if not self:
            return guardrails.Rules()
        self.ensure_one()
        return guardrails.Rules(
            enabled=self.enabled,
            max_calls_per_week=self.max_calls_per_week,
            max_messages_per_week=self.max_messages_per_week,
            min_days_between_messages=self.min_days_between_messages,
            hour_from=self.hour_from,
            hour_to=self.hour_to,
            weekdays=frozenset(range(7 if self.allow_sunday else 6)),
            skip_holidays=self.skip_holidays,
        )
