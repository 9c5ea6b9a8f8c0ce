from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def action_cobranza_start_call(self):
        """Open the guided call for this invoice's customer, with this invoice to discuss."""
        self.ensure_one()
        return self.env["mail.activity"]._cobranza_open_call_wizard(self.commercial_partner_id, moves=self)
