from odoo import models


# Kept apart from res_partner.py so this feature merges without conflicts.
# pylint: disable=consider-merging-classes-inherited
class ResPartnerDte(models.Model):
    _inherit = "res.partner"

    def _cobranza_script_values(self, moves=None, collector=None, company=None):
        """Adds ``{pay_to}``: for each ceded invoice of the call, whom the customer must pay now."""
        values = super()._cobranza_script_values(moves=moves, collector=collector, company=company)
        partner = self.commercial_partner_id
        company = company or self.env.company
        moves = moves if moves is not None else partner._cobranza_open_invoices(company)
        values["pay_to"] = [move._cobranza_pay_to_text() for move in moves.filtered("cobranza_dte_ceded")]
        return values
