from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        """Payments reconciled with promised invoices decide their promises at once."""
        partials = super().create(vals_list)
        self.env["cobranza.promise"]._cobranza_evaluate_for_moves(partials.debit_move_id.move_id)
        return partials

    def unlink(self):
        """A payment taken back from a promised invoice reopens a promise it had kept, while the
        promise's grace has not ended."""
        moves = self.debit_move_id.move_id
        res = super().unlink()
        self.env["cobranza.promise"]._cobranza_reopen_for_moves(moves)
        return res


# Kept apart from the class above so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class AccountPartialReconcileDiscount(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        """Payments reconciled with invoices under an offered discount decide the offer at once."""
        partials = super().create(vals_list)
        self.env["cobranza.discount.offer"]._cobranza_evaluate_for_moves(partials.debit_move_id.move_id)
        return partials
