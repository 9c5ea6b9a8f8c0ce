from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# Computed by the offer's code (as superuser) from the rule and the receivable figure.
COMPUTED_FIELDS = frozenset(
    {
        "percent",
        "amount_open",
        "amount_discount",
        "amount_net",
        "amount_tax",
        "amount_to_pay",
        "credit_note_id",
    }
)


class CobranzaDiscountOfferLine(models.Model):
    """One invoice of a discount offer: its open amount, the discount (net and VAT, as the credit
    note will carry them) and what remains to pay, all in the invoice's currency."""

    _name = "cobranza.discount.offer.line"
    _description = "Discount offer line"
    _order = "offer_id, id"
    _check_company_auto = True

    offer_id = fields.Many2one(
        comodel_name="cobranza.discount.offer", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="offer_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="move_id.currency_id", string="Currency")
    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        required=True,
        index=True,
        check_company=True,
        ondelete="restrict",
    )
    percent = fields.Float(
        string="Discount (%)",
        digits=(5, 2),
        readonly=True,
        help="Of the open amount (early payment: the tiers earned by each instalment paid by the deadline).",
    )
    weight = fields.Float(
        digits=0, readonly=True, help="The share of the invoice's total given away (the credit note's basis)."
    )
    amount_open = fields.Monetary(string="Open amount", readonly=True)
    amount_net = fields.Monetary(string="Discount net", readonly=True)
    amount_tax = fields.Monetary(string="Discount VAT", readonly=True)
    amount_discount = fields.Monetary(string="Discount", readonly=True)
    amount_to_pay = fields.Monetary(string="To pay", readonly=True)
    credit_note_id = fields.Many2one(
        comodel_name="account.move",
        string="Credit note",
        readonly=True,
        copy=False,
        check_company=True,
        help="The credit note (DTE 61) that applied the discount, or the journal entry of a financial "
        "discount.",
    )

    def _cobranza_check_vals(self, vals):
        if not self.env.su and COMPUTED_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "The amounts of a discount offer are computed from its rule and its invoices only."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._cobranza_check_vals(vals)
        lines = super().create(vals_list)
        lines.offer_id._cobranza_check_editable()
        lines.offer_id._cobranza_compute()
        return lines

    def write(self, vals):
        self._cobranza_check_vals(vals)
        self.offer_id._cobranza_check_editable()
        res = super().write(vals)
        if "move_id" in vals:
            self.offer_id._cobranza_compute()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_if_proposed(self):
        if not self.env.su and self.offer_id.filtered(lambda o: o.state != "proposed"):
            raise UserError(self.env._("The invoices of a discount offer cannot change once it is approved."))
        return super().unlink()
