from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _cobranza_exclusion_selection(self):
        return [*super()._cobranza_exclusion_selection(), ("discount", "Open discount offer")]

    def _cobranza_exclusion_reasons(self):
        """An open discount offer pauses the escalation of its invoices until its deadline."""
        reasons = super()._cobranza_exclusion_reasons()
        for move_id in self.env["cobranza.discount.offer"]._cobranza_open_offer_moves(self):
            reasons.setdefault(move_id, "discount")
        return reasons
