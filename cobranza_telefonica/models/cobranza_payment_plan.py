from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, format_amount, formatLang

from ..services import promise as promise_service
from ..services import validation
from .cobranza_promise import PROMISE_STATES


class CobranzaPaymentPlan(models.Model):
    """Instalments agreed together with a customer: one promise to pay per instalment."""

    _name = "cobranza.payment.plan"
    _description = "Payment plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_first desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        compute="_compute_currency_id",
        store=True,
        help="The currency of the plan's invoices: a plan is in one currency, like its instalments.",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users", string="Collector", default=lambda self: self.env.user, tracking=True
    )
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="cobranza_payment_plan_move_rel",
        column1="plan_id",
        column2="move_id",
        string="Invoices",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial')), "
        "('commercial_partner_id', '=', commercial_partner_id)]",
    )
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    amount_total = fields.Monetary(
        string="Amount to split",
        help="Left empty, the plan covers what is due on the invoices and not yet promised on "
        "another open promise.",
    )
    instalment_count = fields.Integer(string="Instalments", default=3)
    date_first = fields.Date(
        string="First instalment", required=True, default=lambda self: self.env.company._cobranza_today()
    )
    interval_days = fields.Integer(string="Days between instalments", default=30)
    channel = fields.Selection(
        selection=[("call", "Call"), ("email", "E-mail"), ("portal", "Portal"), ("in_person", "In person")],
        required=True,
        default="call",
    )
    promise_ids = fields.One2many(comodel_name="cobranza.promise", inverse_name="plan_id", string="Promises")
    # In the plan's currency: plans in two currencies are never summed.
    amount = fields.Monetary(
        string="Amount promised", compute="_compute_amounts", store=True, aggregator=None
    )
    amount_paid = fields.Monetary(
        string="Amount collected", compute="_compute_amounts", store=True, aggregator=None
    )
    state = fields.Selection(
        selection=[("draft", "Draft"), *PROMISE_STATES],
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
    )
    note = fields.Text(string="Notes")

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._cobranza_clean_vals(vals) for vals in vals_list]
        return super().create(vals_list)

    def write(self, vals):
        return super().write(self._cobranza_clean_vals(vals))

    @api.model
    def _cobranza_clean_vals(self, vals):
        """What users type, made safe before the ORM sees it: NUL characters out of the note (the
        database refuses them), and a ValidationError for an amount that is not a finite number
        of sensible size."""
        if validation.bad_amount_field(vals, ["amount_total"]):
            raise ValidationError(self._cobranza_bad_amount_message(vals["amount_total"]))
        return validation.strip_nul_vals(vals, ["note"])

    @api.model
    def _cobranza_bad_amount_message(self, value):
        return self.env._(
            "The amount must be a finite number below %(limit)s, not “%(value)s”.",
            limit=formatLang(self.env, validation.AMOUNT_LIMIT, digits=0),
            value=value,
        )

    @api.depends("partner_id.display_name", "date_first")
    def _compute_name(self):
        for plan in self:
            plan.name = f"{plan.partner_id.display_name or ''} · {plan.date_first or ''}"

    @api.depends("move_ids.currency_id", "company_id")
    def _compute_currency_id(self):
        for plan in self:
            plan.currency_id = plan.move_ids.currency_id[:1] or plan.company_id.currency_id

    @api.depends("promise_ids.amount", "promise_ids.amount_paid", "promise_ids.state")
    def _compute_amounts(self):
        for plan in self:
            promises = plan.promise_ids.filtered(lambda p: p.state != "cancelled")
            plan.amount = sum(promises.mapped("amount"))
            plan.amount_paid = sum(promises.mapped("amount_paid"))

    @api.depends("promise_ids.state")
    def _compute_state(self):
        for plan in self:
            plan.state = self._state_from_promises(plan.promise_ids.mapped("state"))

    @api.model
    def _state_from_promises(self, states):
        """A plan is open while an instalment is open, kept when every one was kept, broken when
        none was kept even in part, else partially kept; instalments settled otherwise (a credit
        note) count for neither, and a plan all of whose instalments were settled is settled."""
        if not states:
            return "draft"
        live = [state for state in states if state != "cancelled"]
        if not live:
            return "cancelled"
        if "open" in live:
            return "open"
        live = [state for state in live if state != "settled"]
        if not live:
            return "settled"
        if all(state == "kept" for state in live):
            return "kept"
        if all(state == "broken" for state in live):
            return "broken"
        return "partial"

    def action_generate(self):
        """Create one promise per instalment: the amount split evenly (the rounding remainder on
        the last one), dated every ``interval_days`` from the first date, oldest invoices first."""
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("The instalments of this plan are already created."))
            if plan.instalment_count < 1 or plan.interval_days < 1:
                raise UserError(self.env._("A plan needs at least one instalment and one day between them."))
            moves = plan.move_ids._cobranza_oldest_first()
            if not moves:
                raise UserError(self.env._("Choose the invoices the plan pays."))
            moves._cobranza_one_currency("plan")
            # What other open promises already claim is left out: instalments land on the rest.
            available = self.env["cobranza.promise"]._cobranza_available_amounts(moves)
            residuals = [available[move.id] for move in moves]
            due = sum(residuals)
            total = plan.amount_total or due
            rounding = plan.currency_id.rounding
            if float_compare(total, 0.0, precision_rounding=rounding) <= 0:
                raise UserError(self.env._("A payment plan must be for an amount greater than zero."))
            if float_compare(total, due, precision_rounding=rounding) > 0:
                raise UserError(
                    self.env._(
                        "The plan (%(total)s) is above what is still due on its invoices and not yet "
                        "promised (%(due)s).",
                        total=format_amount(self.env, total, plan.currency_id),
                        due=format_amount(self.env, due, plan.currency_id),
                    )
                )
            amounts = promise_service.split_amount(total, plan.instalment_count, rounding)
            dates = promise_service.instalment_dates(
                plan.date_first, plan.instalment_count, plan.interval_days
            )
            allocation = promise_service.allocate(amounts, residuals, rounding)
            self.env["cobranza.promise"].create(
                [
                    {
                        "plan_id": plan.id,
                        "company_id": plan.company_id.id,
                        "partner_id": plan.partner_id.id,
                        "user_id": plan.user_id.id,
                        "channel": plan.channel,
                        "date": day,
                        "note": plan.note,
                        "line_ids": [
                            Command.create({"move_id": moves[index].id, "amount": part})
                            for index, part in parts
                        ],
                    }
                    for day, parts in zip(dates, allocation, strict=True)
                ]
            )
            plan.amount_total = total
        return True

    def action_cancel(self):
        """Cancel the instalments still open."""
        self.promise_ids.filtered(lambda p: p.state == "open").action_cancel()
        return True
