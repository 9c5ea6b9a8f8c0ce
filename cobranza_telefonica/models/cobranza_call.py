import math
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_datetime

from ..services import promise as promise_service
from ..services import validation

CONTACT_RESULTS = [
    ("no_answer", "No answer"),
    ("busy", "Busy"),
    ("wrong_number", "Wrong number"),
    ("voicemail", "Voicemail"),
    ("third_party", "Reached a third party"),
    ("debtor", "Reached the debtor"),
]
OUTCOMES = [
    ("promise", "Promise to pay"),
    ("payment_plan", "Payment plan"),
    ("dispute", "Dispute"),
    ("already_paid", "Already paid"),
    ("refuses", "Refuses to pay"),
    ("call_back", "Call back"),
]
# Results after which we simply try again later.
RETRY_RESULTS = ("no_answer", "busy", "voicemail", "third_party")
# Attempts that reached nobody (a company may leave them out of the weekly call limit).
UNANSWERED_RESULTS = ("no_answer", "busy", "voicemail")
REACHED_RESULTS = ("debtor", "third_party")
# A call recorded this many minutes after the screen opened was not timed by it.
SCREEN_DURATION_LIMIT = 120
# The longest call one may record, in minutes.
MAX_DURATION = 600


class CobranzaCall(models.Model):
    """One collection call attempt and what came out of it."""

    _name = "cobranza.call"
    _description = "Collection call"
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", required=True, index=True, check_company=True
    )
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="cobranza_call_account_move_rel",
        string="Invoices discussed",
        check_company=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        required=True,
        index=True,
        default=lambda self: self.env.user,
    )
    recorded_by_id = fields.Many2one(
        comodel_name="res.users",
        string="Recorded by",
        readonly=True,
        help="Who recorded the call: the collector, or a collection manager recording for them.",
    )
    date_start = fields.Datetime(
        string="Start",
        required=True,
        default=lambda self: self.env["res.company"]._cobranza_now(),
        index=True,
    )
    duration = fields.Float(string="Duration (minutes)", aggregator="sum")
    contact_result = fields.Selection(selection=CONTACT_RESULTS, required=True, index=True)
    outcome = fields.Selection(selection=OUTCOMES, index=True)
    receptivity = fields.Selection(
        selection=[
            ("1", "1 - Hostile"),
            ("2", "2 - Reluctant"),
            ("3", "3 - Neutral"),
            ("4", "4 - Willing"),
            ("5", "5 - Very willing"),
        ],
    )
    note = fields.Text(string="Notes")
    script_id = fields.Many2one(comodel_name="cobranza.script", check_company=True)
    step_ids = fields.Many2many(comodel_name="cobranza.script.step", string="Steps ticked")
    promise_ids = fields.One2many(comodel_name="cobranza.promise", inverse_name="call_id", string="Promises")
    promise_amount = fields.Monetary(
        compute="_compute_promise_amount", string="Amount promised", currency_field="promise_currency_id"
    )
    promise_currency_id = fields.Many2one(
        comodel_name="res.currency", compute="_compute_promise_amount", string="Promise currency"
    )
    next_call = fields.Datetime(string="Next call")
    dispute_reason = fields.Text()

    @api.depends("partner_id.display_name", "date_start")
    def _compute_name(self):
        for call in self:
            call.name = f"{call.partner_id.display_name or ''} · {call.date_start or ''}"

    @api.depends("promise_ids.amount", "promise_ids.currency_id")
    def _compute_promise_amount(self):
        """What the call's promise (or plan) is for, in its currency (one per promise)."""
        for call in self:
            call.promise_currency_id = call.promise_ids.currency_id[:1] or call.currency_id
            call.promise_amount = sum(call.promise_ids.mapped("amount"))

    # ------------------------------------------------------------------
    # Recording a call: one entry point, validation first, then the writes
    # ------------------------------------------------------------------

    @api.model
    def _cobranza_record(self, values):
        """Record the call described by ``values`` (keys of the call wizard) and create what
        follows from it: promises, dispute flags, the next call, a payment check; mark the
        activity done. Everything is validated first so a refusal leaves nothing half-saved."""
        values = self._cobranza_clean(values)
        self._cobranza_validate(values)
        partner = values["partner_id"]
        activity = values.get("activity_id") or self.env["mail.activity"]
        vals = self._prepare_call_vals(values)
        # The contact gate first: a call it forbids is not recorded (a manager's authorisation of
        # today's call lifts the weekly limit only); every attempt it allows stays on record.
        self.env["cobranza.contact.gate"]._cobranza_pass(
            partner,
            "call",
            company=self.env.company,
            when=vals["date_start"],
            user=self.env["res.users"].browse(vals["user_id"]),
            origin=self.env._("Collection call"),
            authorized=bool(activity) and activity._cobranza_authorized(vals["date_start"]),
            reached=values["contact_result"] not in UNANSWERED_RESULTS,
        )
        call = self.sudo().create(vals).sudo(False)
        if values.get("outcome") in ("promise", "payment_plan") and values.get("contact_result") == "debtor":
            self._create_promises(call, values)
        if values.get("outcome") == "dispute" and values.get("contact_result") == "debtor":
            values["dispute_move_ids"].sudo().write(
                {"cobranza_dispute": True, "cobranza_dispute_reason": values["dispute_reason"]}
            )
        if values.get("outcome") == "already_paid" and values.get("contact_result") == "debtor":
            self._schedule_payment_check(call, values)
        if values.get("contact_result") == "wrong_number" and partner._cobranza_phone_count() <= 1:
            partner.sudo().cobranza_wrong_number = True
            partner.sudo().message_post(
                body=self.env._(
                    "Wrong number: %(phone)s is not this customer's. "
                    "Please find and record a new phone number.",
                    phone=partner.phone or partner.mobile or "",
                ),
                author_id=self.env.user.partner_id.id,
            )
        elif call.next_call:
            self._schedule_next_call(call, activity)
        call._post_to_chatter()
        if activity:
            activity.action_feedback(feedback=call._feedback_text())
        return call

    @api.model
    def _cobranza_clean(self, values):
        """The values with the NUL characters PostgreSQL refuses taken out of typed texts."""
        return validation.strip_nul_vals(dict(values), ["note", "dispute_reason"])

    @api.model
    def _cobranza_validate_who_and_when(self, values, partner, company):
        """The activity is the customer's and the user's (or a manager's), the collector an
        internal user of the company, the start not in the future, the duration sensible."""
        activity = values.get("activity_id")
        if activity:
            activity.with_env(self.env)._cobranza_check_call_activity(partner)
        user = values.get("user_id")
        if user and user != self.env.user:
            if not self.env.user.has_group("cobranza_telefonica.group_cobranza_manager"):
                raise UserError(
                    self.env._("Only a collection manager may record a call for another collector.")
                )
            if user.share or company not in user.company_ids:
                raise UserError(
                    self.env._(
                        "%(user)s is not an internal user of %(company)s.",
                        user=user.name,
                        company=company.name,
                    )
                )
        now = company._cobranza_now()
        start = values.get("date_start") or now
        if start > now + timedelta(minutes=5):
            raise UserError(self.env._("A call cannot start in the future."))
        duration = values.get("duration") or 0.0
        if not math.isfinite(duration) or duration < 0 or duration > MAX_DURATION:
            raise UserError(
                self.env._("The duration must be between 0 and %(max)s minutes.", max=MAX_DURATION)
            )
        if partner.company_id and partner.company_id != company:
            raise UserError(
                self.env._(
                    "%(customer)s belongs to the company %(other)s: switch to that company to call it.",
                    customer=partner.display_name,
                    other=partner.company_id.name,
                )
            )

    @api.model
    def _cobranza_validate(self, values):
        """Raise UserError on input that cannot be recorded."""
        partner = values.get("partner_id")
        if not partner:
            raise UserError(self.env._("Choose the customer you called."))
        company = self.env.company
        self._cobranza_validate_who_and_when(values, partner, company)
        now = company._cobranza_now()
        moves = values.get("move_ids") or self.env["account.move"]
        moves |= values.get("promise_move_ids") or self.env["account.move"]
        moves |= values.get("dispute_move_ids") or self.env["account.move"]
        if moves.filtered(lambda m: m.company_id != company):
            raise UserError(
                self.env._("Some invoices belong to another company: switch company to call this customer.")
            )
        if moves.filtered(lambda m: m.commercial_partner_id != partner.commercial_partner_id):
            raise UserError(
                self.env._("Some invoices are not of %(customer)s.", customer=partner.display_name)
            )
        result = values.get("contact_result")
        if not result:
            raise UserError(self.env._("Say whether you reached the customer (contact result)."))
        outcome = values.get("outcome")
        if result == "debtor" and not outcome:
            raise UserError(self.env._("You reached the debtor: choose the outcome of the call."))
        next_call = values.get("next_call")
        if next_call and next_call <= now:
            raise UserError(self.env._("The next call must be in the future."))
        if next_call:
            self._cobranza_check_next_call(partner, next_call)
        if result == "debtor" and outcome == "call_back" and not next_call:
            raise UserError(self.env._("The customer asked to be called back: say when."))
        if result == "debtor" and outcome in ("promise", "payment_plan"):
            self._validate_promise(values)
        if result == "debtor" and outcome == "dispute":
            if not (values.get("dispute_reason") or "").strip():
                raise UserError(self.env._("Write the reason of the dispute."))
            if not values.get("dispute_move_ids"):
                raise UserError(self.env._("Choose the disputed invoices."))
            if values["dispute_move_ids"].filtered(lambda m: m.move_type != "out_invoice"):
                raise UserError(self.env._("Only customer invoices can be disputed."))

    @api.model
    def _cobranza_check_next_call(self, partner, next_call):
        """An agreed call back must fall on an allowed day and hour (the weekly limit may be lifted
        by a manager then, the days and hours never)."""
        gate = self.env["cobranza.contact.gate"]
        company = self.env.company
        decision = gate._cobranza_check(partner, "call", company, next_call, authorized=True)[
            partner.commercial_partner_id.id
        ]
        if not decision["allowed"]:
            raise UserError(gate._cobranza_refusal(partner, decision, "call"))

    @api.model
    def _validate_promise(self, values):
        moves = values.get("promise_move_ids") or self.env["account.move"]
        currency = moves._cobranza_one_currency() or self.env.company.currency_id
        amount = values.get("promise_amount") or 0.0
        if not validation.is_sane_amount(amount):
            raise UserError(self.env["cobranza.payment.plan"]._cobranza_bad_amount_message(amount))
        promise_date = values.get("promise_date")
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("A promise to pay needs an amount greater than zero."))
        if not promise_date:
            raise UserError(self.env._("A promise to pay needs the date the customer will pay."))
        if not moves:
            raise UserError(self.env._("Choose the invoices the customer promises to pay."))
        unpaid = moves.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and m.payment_state in ("not_paid", "partial")
            )
        )
        if unpaid != moves:
            raise UserError(self.env._("Only open (posted, unpaid) customer invoices can be promised."))
        residual = sum(self.env["cobranza.promise"]._cobranza_available_amounts(moves).values())
        if currency.compare_amounts(amount, residual) > 0:
            raise UserError(
                self.env._(
                    "The amount promised (%(amount)s) is more than what the invoices owe and is not yet "
                    "promised (%(residual)s).",
                    amount=format_amount(self.env, amount, currency),
                    residual=format_amount(self.env, residual, currency),
                )
            )
        today = self.env.company._cobranza_today()
        if promise_date < today:
            raise UserError(self.env._("The promised date cannot be in the past."))
        # The horizon binds a single promise and a plan's first instalment; later instalments
        # may go past it (README, "Promises to pay and payment plans").
        horizon = self.env.company.cobranza_promise_horizon_days
        if promise_date > today + timedelta(days=horizon):
            raise UserError(
                self.env._(
                    "The promised date (the first instalment of a plan) must fall within %(days)s days "
                    "from today.",
                    days=horizon,
                )
            )

    @api.model
    def _prepare_call_vals(self, values):
        return {
            "company_id": self.env.company.id,
            "partner_id": values["partner_id"].commercial_partner_id.id,
            "move_ids": [fields.Command.set((values.get("move_ids") or self.env["account.move"]).ids)],
            "user_id": (values.get("user_id") or self.env.user).id,
            "recorded_by_id": self.env.user.id,
            "date_start": values.get("date_start") or self.env["res.company"]._cobranza_now(),
            "duration": values.get("duration") or self._duration_since(values.get("date_start")),
            "contact_result": values["contact_result"],
            "outcome": self._outcome_for(values),
            # Receptivity is of a person: none when nobody answered.
            "receptivity": (values.get("receptivity") or False)
            if values["contact_result"] in REACHED_RESULTS
            else False,
            "note": values.get("note") or False,
            "script_id": values.get("script_id") and values["script_id"].id,
            "step_ids": [
                fields.Command.set((values.get("step_ids") or self.env["cobranza.script.step"]).ids)
            ],
            "next_call": self._next_call_for(values),
            "dispute_reason": values.get("dispute_reason") if values.get("outcome") == "dispute" else False,
        }

    @api.model
    def _duration_since(self, start):
        """Minutes from ``start`` (the call screen opened) to now, when the collector typed no
        duration: the call screen's own clock. Nothing for a call recorded more than
        SCREEN_DURATION_LIMIT minutes after its start (a call logged afterwards, not timed)."""
        if not start:
            return 0.0
        minutes = (self.env["res.company"]._cobranza_now() - start).total_seconds() / 60
        return round(minutes, 1) if 0 < minutes <= SCREEN_DURATION_LIMIT else 0.0

    @api.model
    def _outcome_for(self, values):
        """The outcome is the debtor's; a third party can only ask us to call back."""
        outcome = values.get("outcome")
        if values["contact_result"] == "debtor" or (
            values["contact_result"] == "third_party" and outcome == "call_back"
        ):
            return outcome
        return False

    @api.model
    def _next_call_for(self, values):
        """The agreed moment for a call back; for a retry result without one, the first moment
        the contact gate allows from a day later, counting this call."""
        if values.get("next_call"):
            return values["next_call"]
        if values["contact_result"] in RETRY_RESULTS or values["contact_result"] == "wrong_number":
            return self._cobranza_propose_next_call(values["partner_id"], values["contact_result"])
        return False

    @api.model
    def _cobranza_propose_next_call(self, partner, contact_result, counted_now=True):
        """The next call to propose after ``contact_result``: a day later, or the first moment the
        gate allows after that (calling hours, days, holidays and the weekly limit)."""
        company = self.env.company
        counted = counted_now and (
            contact_result not in UNANSWERED_RESULTS or company.cobranza_count_unanswered_calls
        )
        return self.env["cobranza.contact.gate"]._cobranza_next_call(
            partner, company, company._cobranza_now() + timedelta(days=1), counted_now=counted
        )

    def _create_promises(self, call, values):
        """The promise agreed on the call, allocated oldest invoice first; a payment plan is a
        cobranza.payment.plan whose instalments are the promises."""
        moves = values["promise_move_ids"]._cobranza_oldest_first()
        common = {
            "company_id": call.company_id.id,
            "partner_id": call.partner_id.id,
            "user_id": call.user_id.id,
            "channel": "call",
            "note": (values.get("note") or "").strip() or False,
        }
        if values["outcome"] == "payment_plan":
            plan = self.env["cobranza.payment.plan"].create(
                {
                    **common,
                    "move_ids": [fields.Command.set(moves.ids)],
                    "amount_total": values["promise_amount"],
                    "instalment_count": max(values.get("plan_instalments") or 1, 1),
                    "date_first": values["promise_date"],
                    "interval_days": values.get("plan_interval_days") or 30,
                }
            )
            plan.action_generate()
            plan.promise_ids.call_id = call
            return plan.promise_ids
        # Oldest invoice first, over what is not yet promised on another open promise.
        available = self.env["cobranza.promise"]._cobranza_available_amounts(moves)
        [parts] = promise_service.allocate(
            [values["promise_amount"]], [available[move.id] for move in moves], moves.currency_id.rounding
        )
        lines = [fields.Command.create({"move_id": moves[index].id, "amount": part}) for index, part in parts]
        return self.env["cobranza.promise"].create(
            {**common, "date": values["promise_date"], "call_id": call.id, "line_ids": lines}
        )

    def _activity_target(self, activity):
        """The record the next activity goes on: the one of the current activity, else the customer."""
        if activity and activity.res_model in ("res.partner", "account.move"):
            return self.env[activity.res_model].browse(activity.res_id)
        return self.partner_id

    def _schedule_next_call(self, call, activity):
        target = call._activity_target(activity).sudo()
        local_next = fields.Datetime.context_timestamp(call, call.next_call)
        target.activity_schedule(
            "cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=local_next.date(),
            summary=self.env._(
                "Call back at %(when)s", when=format_datetime(self.env, call.next_call, dt_format="short")
            ),
            user_id=call.user_id.id,
            cobranza_call_at=call.next_call,
        )

    def _schedule_payment_check(self, call, values):
        note = values.get("note") or ""
        call.partner_id.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=call.company_id._cobranza_today(),
            summary=self.env._("Check the payment the customer says was made"),
            note=Markup("<p>%s</p>") % note if note else "",
            user_id=call.user_id.id,
        )

    def _feedback_text(self):
        self.ensure_one()
        labels = dict(self._fields["contact_result"]._description_selection(self.env))
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        text = labels[self.contact_result]
        if self.outcome:
            text += " — " + outcomes[self.outcome]
        if self.promise_ids:
            text += " — " + self.env._(
                "promise of %(amount)s",
                amount=format_amount(self.env, self.promise_amount, self.promise_currency_id),
            )
        if self.note:
            text += ": " + self.note
        return text

    def _post_to_chatter(self):
        """Post the call to the customer and to each invoice discussed."""
        for call in self:
            body = self.env["ir.qweb"]._render("cobranza_telefonica.call_message", {"call": call})
            for record in [call.partner_id, *call.move_ids]:
                record.sudo().message_post(
                    body=Markup(body),  # noqa: S704 - QWeb output is escaped
                    author_id=self.env.user.partner_id.id,
                    subtype_xmlid="mail.mt_note",
                )


# Kept apart from the class above so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class CobranzaCallDiscount(models.Model):
    _inherit = "cobranza.call"

    discount_offer_ids = fields.One2many(
        comodel_name="cobranza.discount.offer", inverse_name="call_id", string="Discount offers"
    )

    def action_cobranza_offer_discount(self):
        """Open a settlement offer for this call's customer: the overdue invoices discussed (else
        all its overdue invoices) that the company's settlement rule covers, its percentage and
        days to pay. The offer checks the rule and the approval limit when it is saved."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        today = self.company_id._cobranza_today()
        moves = self.move_ids or partner._cobranza_open_invoices(self.company_id)
        moves = moves.filtered(lambda m: m.cobranza_oldest_due_date and m.cobranza_oldest_due_date < today)
        Rule = self.env["cobranza.discount.rule"]
        rule = Rule.browse()
        for move in moves:
            rule = Rule._cobranza_rule_for(move, "settlement", move.amount_residual, today)
            if rule:
                break
        if not rule:
            raise UserError(
                self.env._("No settlement discount rule covers the overdue invoices of this customer.")
            )
        covered = moves.filtered(lambda m: rule._cobranza_matches(m, m.amount_residual, today))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Discount offer"),
            "res_model": "cobranza.discount.offer",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_partner_id": partner.id,
                "default_company_id": self.company_id.id,
                "default_call_id": self.id,
                "default_rule_id": rule.id,
                "default_requested_percent": rule.settlement_percent,
                "default_deadline": today + timedelta(days=rule.offer_days),
                "default_line_ids": [Command.create({"move_id": move.id}) for move in covered],
            },
        }
