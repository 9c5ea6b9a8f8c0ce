import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, format_amount, format_date

from ..services import promise as promise_service
from ..services import validation

_logger = logging.getLogger(__name__)

# Decided by the evaluation only (code running as superuser), whatever a user sends by RPC.
DECIDED_FIELDS = frozenset({"state", "amount_paid", "date_decided", "reminder_sent", "date_made"})
# Two broken promises within this many days flag the customer.
FLAG_WINDOW_DAYS = 90
FLAG_BROKEN_COUNT = 2


PROMISE_STATES = [
    ("open", "Open"),
    ("kept", "Kept"),
    ("partial", "Partially kept"),
    ("broken", "Broken"),
    ("settled", "Settled otherwise"),
    ("cancelled", "Cancelled"),
]


class CobranzaPromise(models.Model):
    """A customer's promise to pay an amount on some invoices by a date."""

    _name = "cobranza.promise"
    _description = "Promise to pay"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        compute="_compute_currency_id",
        store=True,
        help="The currency of the promised invoices: a promise is in one currency, and what it "
        "promises is compared with what its invoices owe and receive in that currency.",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company currency", store=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    commercial_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Commercial entity",
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
    )
    date = fields.Date(string="Promised date", required=True, tracking=True)
    date_made = fields.Date(
        string="Promised on",
        required=True,
        readonly=True,
        default=lambda self: self._cobranza_today(),
        help="Payments count for the promise from this day on.",
    )
    date_deadline = fields.Date(
        string="Grace ends",
        compute="_compute_date_deadline",
        store=True,
        index=True,
        help="The promised date plus the company's grace days: payments dated until this day count.",
    )
    date_reminder = fields.Date(
        string="Reminder date",
        compute="_compute_date_deadline",
        store=True,
        help="The day the customer gets the reminder e-mail.",
    )
    reminder_sent = fields.Boolean(copy=False, readonly=True)
    date_decided = fields.Date(string="Decided on", copy=False, readonly=True)
    line_ids = fields.One2many(
        comodel_name="cobranza.promise.line", inverse_name="promise_id", string="Invoices promised", copy=True
    )
    move_ids = fields.Many2many(
        comodel_name="account.move", string="Invoices", compute="_compute_move_ids", store=True
    )
    # In the promise's currency: never summed across promises (they may be in two currencies);
    # totals add the company-currency figures below.
    amount = fields.Monetary(
        string="Amount promised", compute="_compute_amount", store=True, tracking=True, aggregator=None
    )
    amount_paid = fields.Monetary(
        string="Amount collected",
        copy=False,
        readonly=True,
        aggregator=None,
        help="Paid on the promised invoices (payments and bank entries, not credit notes) from the "
        "day of the promise until the grace ends, in the promise's currency.",
    )
    amount_company = fields.Monetary(
        string="Amount promised (company currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
        aggregator="sum",
        help="The amount promised in the company's currency, at the rate of the day the promise was made.",
    )
    amount_paid_company = fields.Monetary(
        string="Amount collected (company currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
        aggregator="sum",
        help="The amount collected in the company's currency, at the rate of the day the promise was "
        "made (the same rate as the amount promised, so a kept promise shows both equal).",
    )
    channel = fields.Selection(
        selection=[("call", "Call"), ("email", "E-mail"), ("portal", "Portal"), ("in_person", "In person")],
        required=True,
        default="call",
    )
    state = fields.Selection(
        selection=PROMISE_STATES,
        required=True,
        default="open",
        index=True,
        tracking=True,
        copy=False,
    )
    note = fields.Text(string="Notes")
    plan_id = fields.Many2one(
        comodel_name="cobranza.payment.plan",
        string="Payment plan",
        ondelete="cascade",
        index="btree_not_null",
        check_company=True,
        copy=False,
    )
    call_id = fields.Many2one(comodel_name="cobranza.call", index=True, ondelete="set null")

    @api.depends("partner_id.display_name", "date")
    def _compute_name(self):
        for promise in self:
            promise.name = f"{promise.partner_id.display_name or ''} · {promise.date or ''}"

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for promise in self:
            promise.move_ids = promise.line_ids.move_id

    @api.depends("line_ids.move_id.currency_id", "company_id")
    def _compute_currency_id(self):
        for promise in self:
            promise.currency_id = promise.line_ids.move_id.currency_id[:1] or promise.company_id.currency_id

    @api.depends("amount", "amount_paid", "currency_id", "company_currency_id", "date_made")
    def _compute_amount_company(self):
        for promise in self:
            currency, company = promise.currency_id, promise.company_id
            if not currency or not company:
                promise.amount_company = promise.amount_paid_company = 0.0
                continue
            day = promise.date_made or company._cobranza_today()
            for field, company_field in (
                ("amount", "amount_company"),
                ("amount_paid", "amount_paid_company"),
            ):
                promise[company_field] = currency._convert(
                    promise[field], promise.company_currency_id, company, day
                )

    @api.depends("line_ids.amount")
    def _compute_amount(self):
        for promise in self:
            promise.amount = promise.currency_id.round(sum(promise.line_ids.mapped("amount")))

    @api.depends(
        "date", "company_id.cobranza_promise_grace_days", "company_id.cobranza_promise_reminder_days"
    )
    def _compute_date_deadline(self):
        for promise in self:
            if not promise.date:
                promise.date_deadline = promise.date_reminder = False
                continue
            company = promise.company_id
            promise.date_deadline = promise.date + timedelta(days=company.cobranza_promise_grace_days)
            promise.date_reminder = promise.date - timedelta(days=company.cobranza_promise_reminder_days)

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                forged = DECIDED_FIELDS.intersection(vals) - {"state"}
                if forged or vals.get("state", "open") != "open":
                    raise AccessError(
                        self.env._("A promise to pay is made open; its evaluation decides the rest.")
                    )
        # The database refuses NUL characters in text: a note pasted with one is kept without it.
        return super().create([validation.strip_nul_vals(vals, ["note"]) for vals in vals_list])

    def write(self, vals):
        if not self.env.su and DECIDED_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "The state, the amount collected and the dates of a promise to pay are decided "
                    "from the payments only."
                )
            )
        if (
            not self.env.su
            and self.filtered(lambda p: p.state != "open")
            and ({"line_ids", "date", "partner_id", "company_id"} & set(vals))
        ):
            raise UserError(self.env._("A promise already decided cannot be changed."))
        return super().write(validation.strip_nul_vals(vals, ["note"]))

    @api.model
    def _cobranza_today(self):
        """The day new promises are made and validated against: today. Data loaded as superuser
        (the demo, promises imported from a previous system) may set ``cobranza_today`` in the
        context to record promises as they were made on that past day; for users it is ignored."""
        as_of = self.env.context.get("cobranza_today")
        if as_of and self.env.is_superuser():
            return fields.Date.to_date(as_of)
        return self.env.company._cobranza_today()

    @api.constrains("line_ids", "date", "partner_id", "company_id")
    def _check_promise(self):
        self._cobranza_check()

    def _cobranza_check_lines_editable(self):
        """The lines of a decided promise never change."""
        if not self.env.su and self.filtered(lambda p: p.state != "open"):
            raise UserError(self.env._("The invoices and amounts of a decided promise cannot change."))

    def _cobranza_check(self):
        """Refuse an open promise that cannot be kept as written: nothing promised, invoices in
        two currencies, a date out of range, invoices that are not this customer's open
        invoices, or more than is still due once the other open promises are counted."""
        today = self._cobranza_today()
        promises = self.filtered(lambda p: p.state == "open")
        for promise in promises:
            promise.line_ids.move_id._cobranza_one_currency(exception=ValidationError)
            currency = promise.currency_id
            if float_compare(promise.amount, 0.0, precision_rounding=currency.rounding) <= 0:
                raise ValidationError(self.env._("A promise to pay must be for an amount greater than zero."))
            if promise.date < today:
                raise ValidationError(
                    self.env._(
                        "The promised date %(date)s is in the past.", date=format_date(self.env, promise.date)
                    )
                )
            promise._cobranza_check_horizon(today)
            promise.line_ids._cobranza_check()
        promises._cobranza_check_add_up()

    def _cobranza_check_horizon(self, today):
        """A single promise, and the first instalment of a plan, fall within the company's
        horizon; the later instalments of a plan may go past it."""
        self.ensure_one()
        horizon = self.company_id.cobranza_promise_horizon_days
        if self.date <= today + timedelta(days=horizon):
            return
        if not self.plan_id:
            raise ValidationError(
                self.env._(
                    "The promised date %(date)s is more than %(days)s days away: agree on a closer "
                    "date or a payment plan.",
                    date=format_date(self.env, self.date),
                    days=horizon,
                )
            )
        first = min(self.plan_id.promise_ids.filtered(lambda p: p.state != "cancelled").mapped("date"))
        if self.date <= first:
            raise ValidationError(
                self.env._(
                    "The first instalment of the plan (%(date)s) is more than %(days)s days away: agree "
                    "on a closer first date.",
                    date=format_date(self.env, self.date),
                    days=horizon,
                )
            )

    def _cobranza_check_add_up(self):
        """The open promises on each invoice of ``self`` claim no more than it still owes.
        The invoices are locked first, so two collectors promising on one invoice at the same
        moment are checked one after the other."""
        moves = self.line_ids.move_id
        if not moves:
            return
        self._cobranza_lock_moves(moves)
        claims = self._cobranza_open_claims(moves)
        for promise in self:
            for move in promise.line_ids.move_id.sorted("id"):
                rounding = move.currency_id.rounding
                claimed = self._cobranza_claimed(claims, move)
                if float_compare(claimed, move.amount_residual, precision_rounding=rounding) <= 0:
                    continue
                promised = sum(
                    promise.line_ids.filtered(lambda line, m=move: line.move_id == m).mapped("amount")
                )
                available = promise_service.available(
                    move.amount_residual, *self._cobranza_claims_of(claims, move, promise), rounding
                )
                raise ValidationError(
                    self.env._(
                        "The amount promised on invoice %(invoice)s (%(promised)s) is above what is "
                        "still due on it and not yet promised on another open promise (%(available)s; "
                        "it still owes %(residual)s).",
                        invoice=move.display_name,
                        promised=format_amount(self.env, promised, move.currency_id),
                        available=format_amount(self.env, available, move.currency_id),
                        residual=format_amount(self.env, move.amount_residual, move.currency_id),
                    )
                )

    @api.model
    def _cobranza_lock_moves(self, moves):
        """Lock the rows of the invoices ``moves`` until the transaction ends, ordered by id (no
        deadlock between two collectors). The rows are also rewritten with their own values:
        Odoo's transactions are REPEATABLE READ, where a transaction that only waited for a lock
        would go on reading its old snapshot, without the promise committed meanwhile; a row
        another transaction rewrote and committed makes it fail with a serialization error
        instead, which Odoo retries from the start, and the retry sees that promise."""
        ids = tuple(sorted(moves.ids))
        if not ids:
            return
        self.env.cr.execute(
            SQL("SELECT id FROM account_move WHERE id IN %s ORDER BY id FOR NO KEY UPDATE", ids)
        )
        self.env.cr.execute(SQL("UPDATE account_move SET write_date = write_date WHERE id IN %s", ids))

    @api.model
    def _cobranza_open_claims(self, moves):
        """{invoice id: ([(promise id, day made, amount)], [(payment day, amount)])}: the lines
        of the open promises on ``moves`` and the money paid on them, in each invoice's currency."""
        lines = (
            self.env["cobranza.promise.line"]
            .sudo()
            .search_fetch(
                [("move_id", "in", moves.ids), ("promise_id.state", "=", "open")],
                ["move_id", "promise_id", "amount"],
            )
        )
        reconciled = self._cobranza_reconciled_by_invoice(moves)
        claims = {move.id: ([], reconciled[move.id]["money"]) for move in moves}
        for line in lines:
            claims[line.move_id.id][0].append((line.promise_id.id, line.promise_id.date_made, line.amount))
        return claims

    @api.model
    def _cobranza_claims_of(self, claims, move, exclude=None):
        """(amount promised on ``move`` by its open promises but ``exclude``, money paid on it since
        the earliest of them was made)."""
        exclude_ids = set(exclude.ids) if exclude else set()
        lines, payments = claims.get(move.id, ([], []))
        lines = [line for line in lines if line[0] not in exclude_ids]
        if not lines:
            return 0.0, 0.0
        since = min(day for _promise, day, _amount in lines)
        return (
            sum(amount for _promise, _day, amount in lines),
            sum(amount for day, amount in payments if day >= since),
        )

    @api.model
    def _cobranza_claimed(self, claims, move, exclude=None):
        """What the open promises (but ``exclude``) still claim of ``move``."""
        promised, paid = self._cobranza_claims_of(claims, move, exclude)
        return promise_service.outstanding(promised, paid, move.currency_id.rounding)

    @api.model
    def _cobranza_available_amounts(self, moves, exclude=None):
        """{invoice id: what may still be promised on it}: what it owes less what its open
        promises (but ``exclude``) still claim, in the invoice's currency."""
        claims = self._cobranza_open_claims(moves)
        return {
            move.id: promise_service.available(
                move.amount_residual,
                *self._cobranza_claims_of(claims, move, exclude),
                move.currency_id.rounding,
            )
            for move in moves
        }

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_cancel(self):
        """Cancel open promises: their invoices go back to the follow-up."""
        if any(promise.state != "open" for promise in self):
            raise UserError(self.env._("Only open promises can be cancelled."))
        self.check_access("write")
        for promise in self:
            promise.sudo().write({"state": "cancelled", "date_decided": promise.company_id._cobranza_today()})
        return True

    def action_evaluate(self):
        """Check the open promises against the payments now (the same check the daily run does)."""
        self._cobranza_evaluate()
        return True

    # ------------------------------------------------------------------
    # Evaluation from real money
    # ------------------------------------------------------------------

    @api.model
    def _cobranza_reconciled_by_invoice(self, moves):
        """{invoice id: {"money": [(payment date, amount)], "other": amount}} of what is
        reconciled with ``moves``, in each invoice's currency (``debit_amount_currency``).

        Only payments and bank statement entries are money; credit notes, write-offs and other
        journal entries reduce what is due but are not money received ("other")."""
        result = defaultdict(lambda: {"money": [], "other": 0.0})
        if not moves:
            return result
        partials = (
            self.env["account.partial.reconcile"]
            .sudo()
            .search_fetch(
                [("debit_move_id.move_id", "in", moves.ids)],
                ["debit_amount_currency", "debit_move_id", "credit_move_id"],
            )
        )
        for partial in partials:
            payment_move = partial.credit_move_id.move_id
            figures = result[partial.debit_move_id.move_id.id]
            if payment_move.origin_payment_id or payment_move.statement_line_id:
                figures["money"].append((partial.credit_move_id.date, partial.debit_amount_currency))
            else:
                figures["other"] += partial.debit_amount_currency
        return result

    def _cobranza_settled_ids(self, reconciled):
        """Ids of the promises of ``self`` whose invoices owe nothing any more and were settled,
        at least in part, by something else than money (a credit note, a write-off)."""
        return {
            promise.id
            for promise in self
            if promise.move_ids
            and all(move.currency_id.is_zero(move.amount_residual) for move in promise.move_ids)
            and any(not move.currency_id.is_zero(reconciled[move.id]["other"]) for move in promise.move_ids)
        }

    def _cobranza_paid_amounts(self):
        """{promise id: money paid on its invoices between the day it was made and the end of
        grace}. Instalments of a plan share the plan's payments, earliest instalment first."""
        result = dict.fromkeys(self.ids, 0.0)
        reconciled = self._cobranza_reconciled_by_invoice(self.move_ids | self.plan_id.promise_ids.move_ids)
        payments = {move_id: figures["money"] for move_id, figures in reconciled.items()}

        def paid_between(moves, start, end):
            return sum(
                amount for move in moves for day, amount in payments.get(move.id, ()) if start <= day <= end
            )

        for promise in self.filtered(lambda p: not p.plan_id):
            result[promise.id] = paid_between(promise.move_ids, promise.date_made, promise.date_deadline)
        for plan in self.plan_id:
            instalments = plan.promise_ids.filtered(lambda p: p.state != "cancelled").sorted(
                lambda p: (p.date, p.id)
            )
            if not instalments:
                continue
            start = min(instalments.mapped("date_made"))
            cumulative = [
                paid_between(instalments.move_ids, start, instalment.date_deadline)
                for instalment in instalments
            ]
            shares = promise_service.plan_paid(instalments.mapped("amount"), cumulative)
            for instalment, share in zip(instalments, shares, strict=True):
                if instalment.id in result:
                    result[instalment.id] = share
        return result

    def _cobranza_evaluate(self, today=None):
        """Decide the open promises of ``self`` from the money paid: kept as soon as it is all
        paid, settled as soon as its invoices owe nothing though not all was paid (a credit note
        settled them: no escalation), partially kept or broken once grace has ended. Return the
        promises decided."""
        promises = self.filtered(lambda p: p.state == "open" and p.amount > 0)
        paid = promises._cobranza_paid_amounts()
        settled = promises._cobranza_settled_ids(promises._cobranza_reconciled_by_invoice(promises.move_ids))
        decided = self.browse()
        todays = {company: today or company._cobranza_today() for company in promises.company_id}
        for promise in promises:
            today = todays[promise.company_id]
            rounding = promise.currency_id.rounding
            amount_paid = promise.currency_id.round(paid[promise.id])
            state = promise_service.promise_state(
                promise.amount, amount_paid, promise.date_deadline, today, rounding, promise.id in settled
            )
            vals = {}
            if float_compare(amount_paid, promise.amount_paid, precision_rounding=rounding):
                vals["amount_paid"] = amount_paid
            if state != promise_service.OPEN:
                vals.update(state=state, date_decided=today)
                decided |= promise
            if vals:
                promise.sudo().write(vals)
        failed = decided.filtered(lambda p: p.state in ("partial", "broken"))
        for company in failed.company_id:
            failed.filtered(lambda p, c=company: p.company_id == c)._cobranza_after_failure(todays[company])
        return decided

    @api.model
    def _cobranza_evaluate_for_moves(self, moves):
        """Evaluate at once the open promises on ``moves`` (called when payments reconcile)."""
        invoices = moves.filtered(lambda move: move.move_type == "out_invoice")
        if not invoices:
            return self.browse()
        promises = self.sudo().search([("state", "=", "open"), ("line_ids.move_id", "in", invoices.ids)])
        # Instalments of a plan are decided together: money pays the earliest first.
        promises |= promises.plan_id.promise_ids.filtered(lambda p: p.state == "open")
        return promises._cobranza_evaluate()

    @api.model
    def _cobranza_reopen_for_moves(self, moves):
        """Reopen the kept promises on ``moves`` whose payments were unreconciled, and the settled
        ones whose invoices owe again (a credit note unreconciled), before their grace ended; they
        are then evaluated again like any open promise."""
        invoices = moves.exists().filtered(lambda move: move.move_type == "out_invoice")
        if not invoices:
            return self.browse()
        domain = [("state", "in", ("kept", "settled")), ("line_ids.move_id", "in", invoices.ids)]
        decided = self.sudo().search(domain)
        decided |= decided.plan_id.promise_ids.filtered(lambda p: p.state in ("kept", "settled"))
        decided = decided.filtered(lambda p: p.date_deadline >= p.company_id._cobranza_today())
        paid = decided._cobranza_paid_amounts()
        settled = decided._cobranza_settled_ids(decided._cobranza_reconciled_by_invoice(decided.move_ids))
        reopened = decided.filtered(
            lambda p: (
                float_compare(paid[p.id], p.amount, precision_rounding=p.currency_id.rounding) < 0
                and p.id not in settled
            )
        )
        for promise in reopened:
            promise.sudo().write({"state": "open", "date_decided": False, "amount_paid": paid[promise.id]})
        return reopened

    # ------------------------------------------------------------------
    # What follows a broken promise
    # ------------------------------------------------------------------

    def _cobranza_after_failure(self, today):
        """A broken or partially kept promise: one collection call per customer, and a flag
        and a word to the managers when the customer breaks promises repeatedly."""
        if not self:
            return
        self._cobranza_schedule_calls(today)
        self._cobranza_flag_customers(today)

    def _cobranza_schedule_calls(self, today):
        activity_type = self.env.ref("cobranza_telefonica.mail_activity_type_cobranza_call")
        partners = self.commercial_partner_id
        existing = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )
        activity_by_partner = {activity.res_id: activity for activity in existing}
        for promise in self:
            partner = promise.commercial_partner_id
            lang_env = promise.with_context(lang=promise.user_id.lang or self.env.lang).env
            summary = lang_env._("Broken promise")
            state_label = dict(promise._fields["state"]._description_selection(lang_env))[promise.state]
            note = Markup("<p>%s</p>") % lang_env._(
                "%(state)s: %(promised)s promised for %(date)s, %(paid)s collected.",
                state=state_label,
                promised=format_amount(lang_env, promise.amount, promise.currency_id),
                date=format_date(lang_env, promise.date),
                paid=format_amount(lang_env, promise.amount_paid, promise.currency_id),
            )
            activity = activity_by_partner.get(partner.id)
            if activity:
                activity.write(
                    {
                        "summary": summary,
                        "note": (activity.note or Markup()) + note,
                        "date_deadline": min(activity.date_deadline, today),
                    }
                )
            else:
                user = (
                    promise.user_id
                    or partner.with_company(promise.company_id).cobranza_collector_id
                    or promise.company_id.cobranza_default_collector_id
                )
                activity_by_partner[partner.id] = (
                    partner.sudo()
                    .with_context(mail_activity_quick_update=True)
                    .activity_schedule(
                        act_type_xmlid="cobranza_telefonica.mail_activity_type_cobranza_call",
                        date_deadline=today,
                        summary=summary,
                        note=note,
                        user_id=user.id or self.env.uid,
                    )
                )

    def _cobranza_flag_customers(self, today):
        since = today - timedelta(days=FLAG_WINDOW_DAYS)
        groups = self.sudo()._read_group(
            [
                ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ("state", "=", "broken"),
                ("date", ">=", since),
            ],
            ["commercial_partner_id", "company_id"],
            ["__count"],
        )
        managers = self.env.ref("cobranza_telefonica.group_cobranza_manager").sudo().users
        for partner, company, count in groups:
            partner = partner.with_company(company).sudo()
            if count < FLAG_BROKEN_COUNT or partner.cobranza_promise_flag:
                continue
            partner.cobranza_promise_flag = True
            to_tell = managers.filtered(
                lambda user, company=company: company in user.company_ids and not user.share and user.active
            ) - self.env.ref("base.user_root")
            partner.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "%(customer)s has broken %(count)s promises to pay in the last %(days)s days: "
                    "the customer is flagged.",
                    customer=partner.display_name,
                    count=count,
                    days=FLAG_WINDOW_DAYS,
                ),
                partner_ids=to_tell.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    # ------------------------------------------------------------------
    # Daily run
    # ------------------------------------------------------------------

    @api.model
    def _cron_cobranza_check_promises(self, batch_size=500):
        """Daily: decide the open promises whose grace has ended and remind the customers whose
        promised date is near. Safe to run twice: both only touch promises still waiting."""
        due, remind, failed, remaining = self.browse(), self.browse(), self.browse(), 0
        for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            today = company._cobranza_today()  # grace and reminders end on the company's local day
            due_domain = [
                ("company_id", "=", company.id),
                ("state", "=", "open"),
                ("date_deadline", "<", today),
            ]
            remind_domain = [
                ("company_id", "=", company.id),
                ("state", "=", "open"),
                ("reminder_sent", "=", False),
                ("date_reminder", "<=", today),
                ("date", ">=", today),
            ]
            company_due = self.search(due_domain, limit=batch_size)
            failed |= company_due._cobranza_run_safely(lambda records, t=today: records._cobranza_evaluate(t))
            company_remind = self.search(remind_domain, limit=batch_size)
            failed |= company_remind._cobranza_run_safely(lambda records: records._cobranza_send_reminders())
            due |= company_due
            remind |= company_remind
            if not failed:
                remaining += self.search_count(due_domain) + self.search_count(remind_domain)
        self.env["ir.cron"]._notify_progress(
            done=len(due) + len(remind), remaining=0 if failed else remaining
        )
        return due, remind

    def _cobranza_run_safely(self, function):
        """Run ``function`` on the whole batch; when it fails, record by record so one bad
        record is logged and the others go on. Return the records that failed."""
        if not self:
            return self
        try:
            with self.env.cr.savepoint():
                function(self)
            return self.browse()
        except Exception:
            _logger.info("Promise batch failed, retrying record by record", exc_info=True)
        failed = self.browse()
        for record in self:
            try:
                with self.env.cr.savepoint():
                    function(record)
            except Exception:
                _logger.exception("Could not process promise %s", record.id)
                failed |= record
        return failed

    def _cobranza_send_reminders(self):
        """E-mail the customer the reminder of its promise, once, through the contact gate: sent
        now and logged when allowed, else queued for the next allowed moment in the company's
        time zone (the queue asks the gate again then)."""
        template = self.env.ref("cobranza_telefonica.mail_template_cobranza_promise_reminder")
        gate = self.env["cobranza.contact.gate"]
        for promise in self.filtered(lambda p: p.partner_id.email):
            gate._cobranza_send_message(
                promise.commercial_partner_id,
                promise.company_id,
                template,
                promise,
                origin=self.env._("Promise to pay reminder"),
                note=promise.name,
            )
        self.sudo().write({"reminder_sent": True})

    # ------------------------------------------------------------------
    # Statistics
    # ------------------------------------------------------------------

    @api.model
    def _cobranza_stats(self, groupby, domain=None):
        """{id of ``groupby`` (commercial_partner_id, user_id, company_id): figures} over the
        promises the user may read: count (cancelled left out), kept, partial, broken, settled,
        open, kept_ratio (kept over kept, partially kept and broken, 0-1: settled promises are
        neither), and the amounts promised and collected.

        Amounts never add two currencies: ``amount`` and ``amount_paid`` are in the company's
        currency (``currency_id``), each promise converted at the rate of the day it was made
        (``amount_company``), so a kept promise counts the same promised and collected and the
        figures do not move with later rates; ``by_currency`` gives {currency id: {"amount",
        "amount_paid"}} in the promises' own currencies. A group spanning companies of two
        currencies gets ``currency_id`` False and amounts 0 (only ``by_currency`` and
        ``by_company_currency`` are meaningful then)."""
        keys = (
            "count",
            "kept",
            "partial",
            "broken",
            "settled",
            "open",
            "kept_ratio",
            "amount",
            "amount_paid",
        )

        def empty():
            figures = dict.fromkeys(keys, 0)
            figures.update(currency_id=False, by_currency={}, by_company_currency={})
            return figures

        stats = defaultdict(empty)
        groups = self._read_group(
            [*(domain or []), ("state", "!=", "cancelled")],
            [groupby, "state", "currency_id", "company_currency_id"],
            ["__count", "amount:sum", "amount_paid:sum", "amount_company:sum", "amount_paid_company:sum"],
        )
        for record, state, currency, company_currency, count, amount, paid, amount_cc, paid_cc in groups:
            figures = stats[record.id]
            figures["count"] += count
            figures[state] += count
            own = figures["by_currency"].setdefault(currency.id, {"amount": 0.0, "amount_paid": 0.0})
            own["amount"] += amount
            own["amount_paid"] += paid
            company = figures["by_company_currency"].setdefault(
                company_currency.id, {"amount": 0.0, "amount_paid": 0.0}
            )
            company["amount"] += amount_cc
            company["amount_paid"] += paid_cc
        for figures in stats.values():
            decided = figures["kept"] + figures["partial"] + figures["broken"]
            figures["kept_ratio"] = figures["kept"] / decided if decided else 0.0
            if len(figures["by_company_currency"]) == 1:
                [(currency_id, amounts)] = figures["by_company_currency"].items()
                figures.update(currency_id=currency_id, **amounts)
        return stats
