import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, format_amount, format_date

from ..services import promise as promise_service
from ..services import validation

_logger = logging.getLogger(__name__)

# Decided by the evaluation only (code running as superuser), whatever a user sends by RPC.
DECIDED_FIELDS = frozenset({"state", "amount_paid", "date_decided", "reminder_sent", "date_made"})
# Two broken promises within this many days flag the customer.
FLAG_WINDOW_DAYS = 90
FLAG_BROKEN_COUNT = 2


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
    currency_id = fields.Many2one(related="company_id.currency_id")
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
    amount = fields.Monetary(
        string="Amount promised", compute="_compute_amount", store=True, tracking=True, aggregator="sum"
    )
    amount_paid = fields.Monetary(
        string="Amount collected",
        copy=False,
        readonly=True,
        aggregator="sum",
        help="Paid on the promised invoices (payments and bank entries, not credit notes) from the "
        "day of the promise until the grace ends.",
    )
    channel = fields.Selection(
        selection=[("call", "Call"), ("email", "E-mail"), ("portal", "Portal"), ("in_person", "In person")],
        required=True,
        default="call",
    )
    state = fields.Selection(
        selection=[
            ("open", "Open"),
            ("kept", "Kept"),
            ("partial", "Partially kept"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
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
        """Refuse an open promise that cannot be kept as written: nothing promised, more than is
        due, a date out of range, or invoices that are not this customer's open invoices."""
        today = self._cobranza_today()
        for promise in self.filtered(lambda p: p.state == "open"):
            currency = promise.currency_id
            if float_compare(promise.amount, 0.0, precision_rounding=currency.rounding) <= 0:
                raise ValidationError(self.env._("A promise to pay must be for an amount greater than zero."))
            if promise.date < today:
                raise ValidationError(
                    self.env._(
                        "The promised date %(date)s is in the past.", date=format_date(self.env, promise.date)
                    )
                )
            horizon = promise.company_id.cobranza_promise_horizon_days
            if not promise.plan_id and promise.date > today + timedelta(days=horizon):
                raise ValidationError(
                    self.env._(
                        "The promised date %(date)s is more than %(days)s days away: agree on a closer "
                        "date or a payment plan.",
                        date=format_date(self.env, promise.date),
                        days=horizon,
                    )
                )
            promised_per_move = defaultdict(float)
            for line in promise.line_ids:
                promised_per_move[line.move_id] += line.amount
                line._cobranza_check()
            for move, promised in promised_per_move.items():
                if float_compare(promised, move.amount_residual, precision_rounding=currency.rounding) > 0:
                    raise ValidationError(
                        self.env._(
                            "The amount promised on invoice %(invoice)s (%(promised)s) is above what "
                            "is still due on it (%(residual)s).",
                            invoice=move.display_name,
                            promised=format_amount(self.env, promised, currency),
                            residual=format_amount(self.env, move.amount_residual, currency),
                        )
                    )

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

    def _cobranza_payments_by_invoice(self, moves):
        """{invoice id: [(payment date, amount)]} of the money reconciled with ``moves``.

        Only payments and bank statement entries count; credit notes, write-offs and other
        journal entries reduce what is due but are not money received."""
        result = defaultdict(list)
        if not moves:
            return result
        partials = (
            self.env["account.partial.reconcile"]
            .sudo()
            .search_fetch(
                [("debit_move_id.move_id", "in", moves.ids)], ["amount", "debit_move_id", "credit_move_id"]
            )
        )
        for partial in partials:
            payment_move = partial.credit_move_id.move_id
            if payment_move.origin_payment_id or payment_move.statement_line_id:
                result[partial.debit_move_id.move_id.id].append((partial.credit_move_id.date, partial.amount))
        return result

    def _cobranza_paid_amounts(self):
        """{promise id: money paid on its invoices between the day it was made and the end of
        grace}. Instalments of a plan share the plan's payments, earliest instalment first."""
        result = dict.fromkeys(self.ids, 0.0)
        payments = self._cobranza_payments_by_invoice(self.move_ids | self.plan_id.promise_ids.move_ids)

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
        paid, partially kept or broken once grace has ended. Return the promises decided."""
        promises = self.filtered(lambda p: p.state == "open" and p.amount > 0)
        paid = promises._cobranza_paid_amounts()
        decided = self.browse()
        todays = {company: today or company._cobranza_today() for company in promises.company_id}
        for promise in promises:
            today = todays[promise.company_id]
            rounding = promise.currency_id.rounding
            amount_paid = promise.currency_id.round(paid[promise.id])
            state = promise_service.promise_state(
                promise.amount, amount_paid, promise.date_deadline, today, rounding
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
        """Reopen the kept promises on ``moves`` whose payments were unreconciled before their
        grace ended; they are then evaluated again like any open promise."""
        invoices = moves.exists().filtered(lambda move: move.move_type == "out_invoice")
        if not invoices:
            return self.browse()
        kept = self.sudo().search([("state", "=", "kept"), ("line_ids.move_id", "in", invoices.ids)])
        kept |= kept.plan_id.promise_ids.filtered(lambda p: p.state == "kept")
        kept = kept.filtered(lambda p: p.date_deadline >= p.company_id._cobranza_today())
        paid = kept._cobranza_paid_amounts()
        reopened = kept.filtered(
            lambda p: float_compare(paid[p.id], p.amount, precision_rounding=p.currency_id.rounding) < 0
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
        """{id of ``groupby`` (commercial_partner_id, user_id): figures} over the promises the user
        may read: count (cancelled left out), kept, partial, broken, open, kept_ratio (kept over
        decided, 0-1), amount promised and collected."""
        stats = defaultdict(
            lambda: dict.fromkeys(
                ("count", "kept", "partial", "broken", "open", "kept_ratio", "amount", "amount_paid"), 0
            )
        )
        groups = self._read_group(
            [*(domain or []), ("state", "!=", "cancelled")],
            [groupby, "state"],
            ["__count", "amount:sum", "amount_paid:sum"],
        )
        for record, state, count, amount, amount_paid in groups:
            figures = stats[record.id]
            figures["count"] += count
            figures[state] += count
            figures["amount"] += amount
            figures["amount_paid"] += amount_paid
        for figures in stats.values():
            decided = figures["kept"] + figures["partial"] + figures["broken"]
            figures["kept_ratio"] = figures["kept"] / decided if decided else 0.0
        return stats
