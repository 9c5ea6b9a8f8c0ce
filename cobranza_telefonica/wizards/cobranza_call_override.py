from odoo import fields, models


class CobranzaCallOverride(models.TransientModel):
    """A manager lifts today's contact guardrails for one call, with a written justification."""

    _name = "cobranza.call.override"
    _description = "Override the contact guardrails"

    activity_id = fields.Many2one(comodel_name="mail.activity", required=True, ondelete="cascade")
    blocked_reason = fields.Char(related="activity_id.cobranza_blocked_reason")
    reason = fields.Text(string="Justification", required=True)

    def action_confirm(self):
        self.ensure_one()
        self.activity_id._cobranza_override(self.reason)
        return {"type": "ir.actions.act_window_close"}
