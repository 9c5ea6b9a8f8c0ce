from odoo import api, fields, models

# Why an open invoice is kept out of the follow-up run; each feature adds its own cases in
# _cobranza_exclusion_reasons().
EXCLUSION_REASONS = [
    ("dispute", "Disputed"),
    ("promise", "Open promise to pay"),
    ("on_hold", "Customer on hold"),
    ("sii", "Claimed or ceded at the SII"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    cobranza_collector_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        compute="_compute_cobranza_collector_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        help="Who collects this invoice: the customer's collector, else the salesperson when "
        "they are a collector, else the company's default collector.",
    )

    cobranza_dispute = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="The customer disputes this invoice: it leaves the follow-up until the dispute is resolved.",
    )
    cobranza_dispute_reason = fields.Text(string="Dispute reason", copy=False)

    @api.depends("partner_id", "invoice_user_id", "move_type")
    def _compute_cobranza_collector_id(self):
        # The group does not exist yet while the module installs and computes this field.
        group = self.env.ref("cobranza_telefonica.group_cobranza_collector", raise_if_not_found=False)
        collectors = group.users if group else self.env["res.users"]
        for move in self:
            if not move.is_sale_document(include_receipts=True):
                move.cobranza_collector_id = False
                continue
            partner = move.partner_id.commercial_partner_id.with_company(move.company_id)
            if partner.cobranza_collector_id:
                move.cobranza_collector_id = partner.cobranza_collector_id
            elif move.invoice_user_id in collectors:
                move.cobranza_collector_id = move.invoice_user_id
            else:
                move.cobranza_collector_id = move.company_id.cobranza_default_collector_id

    def _cobranza_exclusion_reasons(self):
        """Return {move id: reason key of EXCLUSION_REASONS} for the moves of ``self`` that the
        follow-up run must leave alone. Each feature extends this with super() and batch queries."""
        reasons = {}
        for move in self:
            if move.cobranza_dispute:
                reasons[move.id] = "dispute"
            elif move.commercial_partner_id.cobranza_on_hold:
                reasons[move.id] = "on_hold"
        return reasons

    def action_cobranza_start_call(self):
        """Open the guided call for this invoice's customer, with this invoice to discuss."""
        self.ensure_one()
        return self.env["mail.activity"]._cobranza_open_call_wizard(self.commercial_partner_id, moves=self)


# Kept apart from the class above so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class AccountMovePromise(models.Model):
    _inherit = "account.move"

    def _cobranza_exclusion_reasons(self):
        """An open promise whose grace has not ended keeps its invoices out of the follow-up."""
        reasons = super()._cobranza_exclusion_reasons()
        if not self.ids:
            return reasons
        lines = (
            self.env["cobranza.promise.line"]
            .sudo()
            .search_fetch(
                [
                    ("move_id", "in", self.ids),
                    ("promise_id.state", "=", "open"),
                    ("promise_id.date_deadline", ">=", fields.Date.context_today(self)),
                ],
                ["move_id"],
            )
        )
        for move_id in lines.move_id.ids:
            reasons.setdefault(move_id, "promise")
        return reasons

    cobranza_promise_count = fields.Integer(
        string="Promises to pay",
        compute="_compute_cobranza_promise_count",
        groups="cobranza_telefonica.group_cobranza_collector",
    )

    def _compute_cobranza_promise_count(self):
        """How many promises to pay (any state) fall on each invoice, in one grouped query."""
        counts = dict(
            self.env["cobranza.promise.line"]._read_group(
                [("move_id", "in", self.ids)], ["move_id"], ["promise_id:count_distinct"]
            )
        )
        for move in self:
            move.cobranza_promise_count = counts.get(move._origin, 0)

    def action_cobranza_view_promises(self):
        """The promises to pay on this invoice, every state, from the smart button."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranza_telefonica.action_cobranza_promise")
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
