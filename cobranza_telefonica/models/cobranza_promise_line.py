from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from ..services import validation


class CobranzaPromiseLine(models.Model):
    """The part of a promise that falls on one invoice."""

    _name = "cobranza.promise.line"
    _description = "Promise to pay: invoice"
    _check_company_auto = True

    promise_id = fields.Many2one(
        comodel_name="cobranza.promise", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="promise_id.company_id", store=True)
    # The invoice's currency (the promise's, which the promise checks is the same for all its lines):
    # taken from the invoice so the amount is rounded in it as soon as the line is created.
    currency_id = fields.Many2one(related="move_id.currency_id", string="Currency")
    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        required=True,
        index=True,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    amount = fields.Monetary(string="Amount promised", required=True)
    amount_residual = fields.Monetary(related="move_id.amount_residual", string="Amount due")
    invoice_date_due = fields.Date(related="move_id.invoice_date_due", string="Due date")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._cobranza_check_amount_vals(vals)
        promises = self.env["cobranza.promise"].browse([vals.get("promise_id") for vals in vals_list])
        promises.exists()._cobranza_check_lines_editable()
        return super().create(vals_list)

    def write(self, vals):
        self._cobranza_check_amount_vals(vals)
        self.promise_id._cobranza_check_lines_editable()
        if "promise_id" in vals:
            self.env["cobranza.promise"].browse(vals["promise_id"])._cobranza_check_lines_editable()
        return super().write(vals)

    def unlink(self):
        """An open promise keeps at least one line for more than zero (its check runs again)."""
        promises = self.promise_id
        promises._cobranza_check_lines_editable()
        result = super().unlink()
        promises.exists()._cobranza_check()
        return result

    @api.model
    def _cobranza_check_amount_vals(self, vals):
        """Refuse NaN, infinities and absurd amounts before the ORM rounds them (which fails
        with a traceback on NaN and infinity)."""
        if validation.bad_amount_field(vals, ["amount"]):
            raise ValidationError(
                self.env["cobranza.payment.plan"]._cobranza_bad_amount_message(vals["amount"])
            )

    @api.constrains("move_id", "amount")
    def _check_line(self):
        self.promise_id._cobranza_check()

    def _cobranza_check(self):
        """The invoice must be an open posted invoice of the promise's customer and company."""
        for line in self:
            promise, move = line.promise_id, line.move_id
            if float_compare(line.amount, 0.0, precision_rounding=move.currency_id.rounding) <= 0:
                raise ValidationError(
                    self.env._(
                        "The amount promised on invoice %(invoice)s must be greater than zero.",
                        invoice=move.display_name,
                    )
                )
            if move.move_type != "out_invoice" or move.state != "posted":
                raise ValidationError(
                    self.env._(
                        "%(invoice)s is not a posted customer invoice: only those can be promised.",
                        invoice=move.display_name,
                    )
                )
            if move.company_id != promise.company_id:
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoice)s belongs to company %(company)s, not to the promise's company.",
                        invoice=move.display_name,
                        company=move.company_id.name,
                    )
                )
            if move.commercial_partner_id != promise.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoice)s is billed to %(other)s, not to %(customer)s.",
                        invoice=move.display_name,
                        other=move.commercial_partner_id.display_name,
                        customer=promise.partner_id.commercial_partner_id.display_name,
                    )
                )
            if move.payment_state in ("paid", "in_payment", "reversed") or move.currency_id.is_zero(
                move.amount_residual
            ):
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoice)s is already paid: there is nothing left to promise on it.",
                        invoice=move.display_name,
                    )
                )
