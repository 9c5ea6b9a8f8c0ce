from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        """Payments reconciled with invoices under an offered discount decide the offer at once."""
        partials = super().create(vals_list)
        self.env["cobranza.discount.offer"]._cobranza_evaluate_for_moves(partials.debit_move_id.move_id)
        return partials
