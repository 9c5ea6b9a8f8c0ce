import logging
import queue
import threading
import zlib
from collections import Counter, defaultdict
from datetime import timedelta

import psycopg2.errors
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.modules import module as odoo_module
from odoo.tools import SQL, split_every

from ..services import receivable

_logger = logging.getLogger(__name__)

LOG_MAX_CHARS = 100000
# At most this many database connections work one run's batches at once.
MAX_WORKERS = 4
# First key of the PostgreSQL advisory lock of a company's follow-up (the second is the
# company id): a fixed 32-bit number of our own, unlikely to be used by another module.
RUN_LOCK_KEY = zlib.crc32(b"cobranza.followup.run") & 0x7FFFFFFF
COUNTERS = (
    "evaluated_count",
    "customer_count",
    "email_count",
    "sms_count",
    "call_count",
    "letter_count",
    "review_count",
    "postponed_count",
    "excluded_count",
    "error_count",
)


class CobranzaFollowupRun(models.Model):
    """One follow-up run for one company: the log of what it evaluated and did. A run works in
    batches of customers (ordered by id) and commits after each, keeping its cursor; a crashed
    run is resumed by the next one, and what was already done is remembered per invoice and level
    (cobranza.followup.action), so nothing is sent twice."""

    _name = "cobranza.followup.run"
    _description = "Follow-up run"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date = fields.Date(
        required=True,
        default=lambda self: self.env.company._cobranza_today(),
        help="The day the run evaluates.",
    )
    start_datetime = fields.Datetime(
        string="Started", default=lambda self: self.env["res.company"]._cobranza_now()
    )
    end_datetime = fields.Datetime(string="Finished")
    state = fields.Selection(
        selection=[("running", "Running"), ("done", "Done")], required=True, default="running", index=True
    )
    trigger = fields.Selection(
        selection=[("cron", "Scheduled"), ("manual", "Run now"), ("partner", "One customer")],
        required=True,
        default="manual",
    )
    user_id = fields.Many2one(
        comodel_name="res.users", string="Started by", default=lambda self: self.env.user
    )
    partner_ids = fields.Many2many(
        comodel_name="res.partner", string="Customers", help="Empty: every customer."
    )
    cursor_partner_id = fields.Integer(string="Last customer processed", readonly=True)
    evaluated_count = fields.Integer(string="Invoices evaluated", readonly=True)
    customer_count = fields.Integer(string="Customers evaluated", readonly=True)
    email_count = fields.Integer(string="E-mails sent", readonly=True)
    sms_count = fields.Integer(string="SMS sent", readonly=True)
    call_count = fields.Integer(string="Calls scheduled", readonly=True)
    letter_count = fields.Integer(string="Letters to print", readonly=True)
    review_count = fields.Integer(string="Manager reviews", readonly=True)
    postponed_count = fields.Integer(string="Postponed", readonly=True)
    excluded_count = fields.Integer(string="Excluded", readonly=True)
    error_count = fields.Integer(string="Errors", readonly=True)
    excluded_by_reason = fields.Json(readonly=True)
    excluded_summary = fields.Char(string="Excluded by reason", compute="_compute_excluded_summary")
    log = fields.Text(readonly=True)

    @api.depends("company_id", "date", "trigger")
    def _compute_name(self):
        labels = dict(self._fields["trigger"]._description_selection(self.env))
        for run in self:
            run.name = f"{run.date or ''} · {run.company_id.name or ''} · {labels.get(run.trigger, '')}"

    @api.depends("excluded_by_reason")
    def _compute_excluded_summary(self):
        labels = dict(
            self.env["account.move"]._fields["cobranza_exclusion_reason"]._description_selection(self.env)
        )
        for run in self:
            counts = run.excluded_by_reason or {}
            run.excluded_summary = ", ".join(
                f"{labels.get(key, key)}: {count}" for key, count in sorted(counts.items())
            )

    # Entry points ------------------------------------------------------------------------------

    @api.model
    def _cron_cobranza_followup(self, batch_size=500):
        """The daily cron: every company, resuming today's run when a crash left it unfinished
        (an unfinished run of an earlier day is closed: today's run evaluates everything again)."""
        for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            if not self._cobranza_lock_company(company):
                _logger.info(
                    "Follow-up of %s skipped: a run for this company is already running.", company.name
                )
                continue
            try:
                self._cron_cobranza_followup_company(company, batch_size)
            finally:
                self._cobranza_unlock_company(company)
        return True

    @api.model
    def _cron_cobranza_followup_company(self, company, batch_size):
        """The cron's run of one company (its lock held)."""
        today = company._cobranza_today()
        unfinished = self.sudo().search(
            [("company_id", "=", company.id), ("state", "=", "running"), ("trigger", "=", "cron")]
        )
        stale = unfinished.filtered(lambda run, today=today: run.date != today)
        for run in stale:
            run.write(
                {
                    "state": "done",
                    "end_datetime": self.env["res.company"]._cobranza_now(),
                    "log": "\n".join(filter(None, [run.log, self.env._("Interrupted before the end.")])),
                }
            )
        run = (unfinished - stale)[:1] or self.sudo().create(
            {"company_id": company.id, "trigger": "cron", "date": today}
        )
        run._process(batch_size=batch_size)

    @api.model
    def _cobranza_run_manual(self, partners=None, batch_size=500):
        """'Run now' (managers) or 'Process' on customers, for the current companies. The run
        works as superuser (e-mails included): who may start it is checked here, before."""
        self._cobranza_check_run_access(partners)
        runs, locked = self.browse(), self.env["res.company"]
        try:
            # Every company's lock first: nothing is run when one of them is busy.
            for company in self.env.companies:
                if not self._cobranza_lock_company(company):
                    raise UserError(self._cobranza_busy_message(company))
                locked |= company
            for company in self.env.companies:
                run = self.sudo().create(
                    {
                        "company_id": company.id,
                        "date": company._cobranza_today(),
                        "trigger": "partner" if partners else "manual",
                        "user_id": self.env.user.id,
                        "partner_ids": [fields.Command.set(partners.ids)] if partners else False,
                    }
                )
                run._process(batch_size=batch_size)
                runs |= run
        finally:
            for company in locked:
                self._cobranza_unlock_company(company)
        return {
            "type": "ir.actions.act_window",
            "res_model": "cobranza.followup.run",
            "name": self.env._("Follow-up runs"),
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", runs.ids)],
        }

    def action_run_now(self):
        return self._cobranza_run_manual()

    @api.model
    def _cobranza_check_run_access(self, partners=None):
        """Who may start a run: collection managers on any customers (or all of them), a
        collector only on customers whose collector, in each current company, they are."""
        user = self.env.user
        if user.has_group("cobranza_telefonica.group_cobranza_manager"):
            return
        if not partners or not user.has_group("cobranza_telefonica.group_cobranza_collector"):
            raise AccessError(self.env._("Only collection managers can run the follow-up."))
        for company in self.env.companies:
            others = (
                partners.commercial_partner_id.sudo()
                .with_company(company)
                .filtered(lambda partner: partner.cobranza_collector_id != user)
            )
            if others:
                raise AccessError(
                    self.env._(
                        "You can only process the customers you collect. Not yours in %(company)s: "
                        "%(customers)s.",
                        company=company.name,
                        customers=", ".join(others.mapped("display_name")),
                    )
                )

    # One run at a time per company ------------------------------------------------------------

    @api.model
    def _cobranza_lock_company(self, company=None):
        """Take the follow-up lock of ``company`` (default: the run's) if it is free; return
        whether it was taken. Release it with ``_cobranza_unlock_company``.

        A PostgreSQL *session-level* advisory lock (``pg_try_advisory_lock``), not a
        transaction-level one: a run commits after each batch, which would release an xact lock,
        and re-taking it after each commit would leave a gap in which a second run could start
        and then stop the first one mid-run. A session lock is held across the commits, freed by
        ``_cobranza_unlock_company`` (always called in a ``finally``) or, if the process dies, by
        PostgreSQL when its connection closes. It is re-entrant within one connection (each take
        needs its release), so the entry points take it before creating the run and ``_process``
        takes it again for callers that run it directly."""
        company = company or self.company_id
        self.env.cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", RUN_LOCK_KEY, company.id))
        return self.env.cr.fetchone()[0]

    @api.model
    def _cobranza_unlock_company(self, company=None):
        """Release the lock ``_cobranza_lock_company`` took. When the transaction failed (an
        error on its way up), it is rolled back first, as it would be anyway: otherwise
        PostgreSQL refuses the unlock and the pooled connection would keep the lock."""
        company = company or self.company_id
        query = SQL("SELECT pg_advisory_unlock(%s, %s)", RUN_LOCK_KEY, company.id)
        try:
            self.env.cr.execute(query, log_exceptions=False)
        except psycopg2.errors.InFailedSqlTransaction:
            self.env.cr.rollback()
            self.env.cr.execute(query)

    @api.model
    def _cobranza_busy_message(self, company):
        return self.env._(
            "A follow-up run for %(company)s is already running: try again when it ends.",
            company=company.name,
        )

    # The run -----------------------------------------------------------------------------------

    def _process(self, batch_size=500):
        """Evaluate every open invoice of the run's company, customer batch by customer batch,
        holding the company's follow-up lock (a second run of the company is refused)."""
        self.ensure_one()
        if not self._cobranza_lock_company(self.company_id):
            raise UserError(self._cobranza_busy_message(self.company_id))
        try:
            return self._process_batches(batch_size)
        finally:
            self._cobranza_unlock_company(self.company_id)

    def _process_batches(self, batch_size):
        run = self.with_company(self.company_id).with_context(
            lang=self.company_id.partner_id.lang or self.env.lang, tz=self.company_id._cobranza_tz().zone
        )
        Move = run.env["account.move"]
        domain = Move._cobranza_open_domain(run.company_id)
        if run.partner_ids:
            domain += [("commercial_partner_id", "in", run.partner_ids.ids)]
        if not run.cursor_partner_id:
            run._cobranza_leave_collection()
        partner_ids = sorted(
            partner.id
            for [partner] in Move._read_group(domain, ["commercial_partner_id"])
            if partner.id > run.cursor_partner_id
        )
        batches = list(split_every(batch_size, partner_ids))
        workers = run._cobranza_worker_count(len(batches))
        if workers > 1:
            run._process_batches_parallel(batches, workers)
        else:
            context = run._prepare_context()
            done = 0
            for batch in batches:
                stats, log = run._process_batch_safely(batch, context)
                run._record_batch(stats, log, batch[-1])
                done += len(batch)
                run._commit_batch(done, len(partner_ids) - done)
        run.write({"state": "done", "end_datetime": self.env["res.company"]._cobranza_now()})
        return True

    def _process_batch_safely(self, batch, context):
        """Process one batch of customer ids in a savepoint; when it fails, customer by customer,
        so that one customer's error never stops the others. Returns (stats, log)."""
        stats, log = Counter(), []
        try:
            with self.env.cr.savepoint():
                self._process_batch(self.env["res.partner"].browse(batch), context, stats, log)
        except Exception:
            _logger.warning("Follow-up batch failed, retrying customer by customer", exc_info=True)
            stats, log = Counter(), []
            for partner_id in batch:
                try:
                    with self.env.cr.savepoint():
                        self._process_batch(self.env["res.partner"].browse(partner_id), context, stats, log)
                except Exception as error:  # one customer's error must not stop the run
                    _logger.exception("Follow-up of customer %s failed", partner_id)
                    stats["error_count"] += 1
                    log.append(
                        self.env._(
                            "Error on customer %(partner)s: %(error)s",
                            partner=self.env["res.partner"].browse(partner_id).display_name,
                            error=error,
                        )
                    )
        return stats, log

    def _cobranza_worker_count(self, batch_count):
        """How many database connections work the run's batches at once: Python prepares one
        batch while PostgreSQL writes another, so two use both cores of a small server (system
        parameter ``cobranza_telefonica.followup_workers``, default 2; 1 works them one by one).
        Always one under tests and in the demo's install, which run in a single transaction."""
        if batch_count < 2 or odoo_module.current_test or self.env.context.get("cobranza_no_commit"):
            return 1
        value = self.env["ir.config_parameter"].sudo().get_param("cobranza_telefonica.followup_workers", "2")
        try:
            return max(1, min(int(value), batch_count, MAX_WORKERS))
        except ValueError:
            return 1

    def _process_batches_parallel(self, batches, workers):
        """Work the batches in ``workers`` threads, each with its own cursor committing after each
        batch. This thread records what they did in order: the run's cursor moves past a batch
        only when every batch before it is done, so a crashed run resumes with nothing skipped
        (a batch done twice sends nothing twice: what was done is remembered per invoice)."""
        self._cobranza_commit()  # the workers see the run and its clean-up
        todo = queue.SimpleQueue()
        for index, batch in enumerate(batches):
            todo.put((index, batch))
        results = queue.SimpleQueue()
        args = (self.env.uid, self.env.su, dict(self.env.context), todo, results)
        threads = [
            threading.Thread(
                target=self._cobranza_worker, args=args, name=f"cobranza-followup-{n}", daemon=True
            )
            for n in range(workers)
        ]
        for thread in threads:
            thread.start()
        finished, next_index, done = {}, 0, 0
        total = sum(len(batch) for batch in batches)
        try:
            while next_index < len(batches):
                index, outcome = results.get()
                if isinstance(outcome, BaseException):
                    raise outcome
                finished[index] = outcome
                while next_index in finished:
                    stats, log = finished.pop(next_index)
                    batch = batches[next_index]
                    self._record_batch(stats, log, batch[-1])
                    done += len(batch)
                    next_index += 1
                    self._commit_batch(done, total - done)
        finally:
            # On any error the other workers stop after their current batch; always wait for them.
            while not todo.empty():
                todo.get()
            for thread in threads:
                thread.join()

    def _cobranza_worker(self, uid, su, context, todo, results):
        """One worker thread: its own cursor and environment, batch after batch until none is left."""
        threading.current_thread().dbname = self.env.cr.dbname
        try:
            with self.env.registry.cursor() as cr:
                env = api.Environment(cr, uid, context, su=su)
                run = self.with_env(env)
                prepared = run._prepare_context()
                while True:
                    try:
                        index, batch = todo.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        outcome = run._process_batch_safely(batch, prepared)
                        cr.commit()  # pylint: disable=invalid-commit
                    except Exception as error:  # noqa: BLE001 - handed to the run's thread, which raises it
                        cr.rollback()
                        outcome = error
                    results.put((index, outcome))
                    if isinstance(outcome, BaseException):
                        return
        except Exception as error:  # noqa: BLE001 - a cursor that cannot open: the run raises it
            results.put((-1, error))

    def _commit_batch(self, done, remaining):
        """Commit what a batch did (never under tests, nor inside the demo's install) and report
        progress to the cron."""
        self._cobranza_commit()
        if self.trigger == "cron" and self.env.context.get("cron_id"):
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def _cobranza_commit(self):
        """Commit the run's transaction, never under tests nor inside the demo's install."""
        if not odoo_module.current_test and not self.env.context.get("cobranza_no_commit"):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _record_batch(self, stats, log, last_partner_id):
        values = {"cursor_partner_id": last_partner_id}
        for key in COUNTERS:
            values[key] = self[key] + stats.get(key, 0)
        excluded = dict(self.excluded_by_reason or {})
        for key, count in stats.items():
            if key.startswith("excluded:"):
                reason = key.split(":", 1)[1]
                excluded[reason] = excluded.get(reason, 0) + count
        values["excluded_by_reason"] = excluded
        if log and len(self.log or "") < LOG_MAX_CHARS:
            values["log"] = "\n".join(filter(None, [self.log, *log]))
            if len(values["log"]) >= LOG_MAX_CHARS:
                values["log"] += "\n" + self.env._("(log truncated: see the invoices' postpone reasons)")
        self.write(values)

    def _prepare_context(self):
        """What every batch of the run needs, read once."""
        company = self.company_id
        managers = self.env["res.users"].search(
            [
                ("groups_id", "in", self.env.ref("cobranza_telefonica.group_cobranza_manager").id),
                ("company_ids", "in", company.id),
                ("share", "=", False),
                ("id", "!=", self.env.ref("base.user_root").id),
            ],
            limit=1,
            order="id",
        )
        levels = self.env["cobranza.level"].search([("company_id", "=", company.id)])
        return {
            "today": self.date,
            "now": self.env["res.company"]._cobranza_now(),
            "levels": levels,
            "call_type": self.env.ref("cobranza_telefonica.mail_activity_type_cobranza_call"),
            "todo_type": self.env.ref("mail.mail_activity_data_todo"),
            "manager": managers,
            "partner_model_id": self.env["ir.model"]._get_id("res.partner"),
            "formatters": self._prepare_formatters(),
            "level_offsets": [(level.day_offset, level) for level in levels],
        }

    def _cobranza_leave_collection(self):
        """Paid or cancelled invoices leave the follow-up: clear their state, and drop the open call
        activity of customers left with nothing to collect."""
        Move = self.env["account.move"]
        closed = Move.search(
            [
                ("company_id", "=", self.company_id.id),
                "|",
                "|",
                ("cobranza_level_id", "!=", False),
                ("cobranza_excluded", "=", True),
                ("cobranza_next_action_date", "!=", False),
                "|",
                ("state", "!=", "posted"),
                ("payment_state", "not in", ("not_paid", "partial")),
            ]
        )
        if self.partner_ids:
            closed = closed.filtered(lambda move: move.commercial_partner_id in self.partner_ids)
        closed._cobranza_write_followup_state(
            [(move.id, None, None, False, None, None, False) for move in closed]
        )
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("cobranza_telefonica.mail_activity_type_cobranza_call").id,
                ),
                ("cobranza_company_id", "in", [False, self.company_id.id]),
            ]
        )
        if not activities:
            return
        partner_ids = set(activities.mapped("res_id"))
        # The calls of this company (and older calls of no company) whose customer owes it nothing.
        still_open = {
            partner.id
            for [partner] in Move._read_group(
                Move._cobranza_open_domain(self.company_id)
                + [("commercial_partner_id", "in", list(partner_ids))],
                ["commercial_partner_id"],
            )
        }
        stale = activities.filtered(lambda act: act.res_id not in still_open)
        if self.partner_ids:
            stale = stale.filtered(lambda act: act.res_id in self.partner_ids.ids)
        stale.unlink()

    def _process_batch(self, partners, context, stats, log):
        """Evaluate the open invoices of ``partners`` and act on them; a handful of queries per batch."""
        Move = self.env["account.move"]
        now = context["now"]
        moves = Move.search_fetch(
            Move._cobranza_open_domain(self.company_id) + [("commercial_partner_id", "in", partners.ids)],
            Move._cobranza_followup_fields(),
            order="commercial_partner_id, cobranza_oldest_due_date, id",
        )
        reasons = moves._cobranza_exclusion_reasons()
        done = {
            (action.move_id.id, action.level_id.id, action.action)
            for action in self.env["cobranza.followup.action"].search_fetch(
                [("move_id", "in", moves.ids)], ["move_id", "level_id", "action"]
            )
        }
        partners = partners.with_company(self.company_id)
        guard = self.env["cobranza.contact.gate"]._cobranza_data(self.company_id, partners, now)
        open_calls = defaultdict(lambda: self.env["mail.activity"])
        for activity in self.env["mail.activity"].search_fetch(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
                ("activity_type_id", "=", context["call_type"].id),
                ("cobranza_company_id", "in", [False, self.company_id.id]),
            ],
            ["res_id", "user_id", "cobranza_note_key", "date_deadline", "cobranza_company_id"],
            order="cobranza_company_id, id",
        ):
            open_calls[activity.res_id] |= activity
        by_partner = defaultdict(lambda: Move)
        for move in moves:
            by_partner[move.commercial_partner_id.id] |= move

        batch = {
            **context,
            "reasons": reasons,
            "done": done,
            "guard": guard,
            "stats": stats,
            "log": log,
            "rows": [],
            "actions": [],
            "contacts": [],
            "activities": [],
            "reviews": [],
            "emails": defaultdict(list),  # template -> move ids
            "sms": defaultdict(list),  # sms.template -> partner ids
            "sms_numbers": None,  # partner id -> number an SMS goes to (False: none), made on first use
            "partners": partners,
            "queued": [],  # messages the gate forbids now, for the queue
            "partner_levels": defaultdict(list),  # level id -> partner ids
        }
        for partner in partners:
            self._process_customer(partner, by_partner[partner.id], open_calls[partner.id][:1], batch)

        Move._cobranza_write_followup_state(batch["rows"])
        for template, entries in batch["emails"].items():
            self._send_emails(template, entries)
        if batch["sms"]:
            self._send_sms(batch["sms"])
        self._insert_actions(batch["actions"])
        if batch["queued"]:
            self.env["cobranza.contact.gate"]._cobranza_enqueue(batch["queued"])
        self.env["cobranza.contact.gate"]._cobranza_log(batch["contacts"])
        # Calls and reviews in separate creates: one activity per customer in each, so that the
        # followers each create subscribes are never subscribed twice in one go.
        self._create_activities(batch["activities"])
        self._create_activities(batch["reviews"])
        for level_id, ids in batch["partner_levels"].items():
            changed = partners.browse(ids).filtered(
                lambda p, level_id=level_id: p.cobranza_level_id.id != level_id
            )
            if changed:
                changed.write({"cobranza_level_id": level_id})

    def _insert_actions(self, vals_list):
        """Remember what was done, in one INSERT: tens of thousands of plain rows on a first run,
        where the ORM's per-record defaults and conversions cost more than the rest of the run.
        The unique constraint (once per invoice, level and action) still applies."""
        if not vals_list:
            return
        Action = self.env["cobranza.followup.action"]
        Action.flush_model()
        columns = ["move_id", "level_id", "action", "run_id", "company_id", "partner_id"]
        self.env.cr.execute(
            SQL(
                "INSERT INTO cobranza_followup_action "
                "(%s, date, create_uid, write_uid, create_date, write_date) "
                "SELECT data.*, %s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC' "
                "FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::int[], %s::int[], %s::int[]) "
                "AS data(%s)",
                SQL(", ").join(SQL.identifier(name) for name in columns),
                self.env["res.company"]._cobranza_now(),
                self.env.uid,
                self.env.uid,
                *([vals[name] for vals in vals_list] for name in columns),
                SQL(", ").join(SQL.identifier(name) for name in columns),
            )
        )
        Action.invalidate_model()

    def _create_activities(self, vals_list):
        """Create activities in one go. Their notes are our own Markup (every value in them
        escaped, the level's call note included): they are stored in one UPDATE instead of
        being sanitized again one by one, which was most of the cost of a first run."""
        notes = [vals.pop("note", None) for vals in vals_list]
        activities = self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(vals_list)
        ids = [act.id for act, note in zip(activities, notes, strict=True) if note]
        if ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE mail_activity SET note = data.note FROM unnest(%s::int[], %s::text[]) "
                    "AS data(id, note) WHERE mail_activity.id = data.id",
                    ids,
                    [str(note) for note in notes if note],
                )
            )
            activities.invalidate_recordset(["note"])
        return activities

    def _process_customer(self, partner, moves, open_call, batch):
        """Evaluate one customer's open invoices and plan what to do; nothing is written here."""
        batch["stats"]["customer_count"] += 1
        state = {}  # move id -> [values of FOLLOWUP_STATE_FIELDS]
        level_of = {}  # move id -> level reached now (invoices not excluded)
        call_due, to_review, emails_due, sms_due = False, self.env["account.move"], [], []
        for move in moves:
            level = self._evaluate_move(move, batch, state)
            if not level:
                continue
            level_of[move.id] = level
            done = batch["done"]
            if level.send_email and (move.id, level.id, "email") not in done:
                emails_due.append((move, level))
            if level.send_sms and (move.id, level.id, "sms") not in done:
                sms_due.append((move, level))
            if level.print_letter and (move.id, level.id, "letter") not in done:
                state[move.id][5] = True
                self._plan_action(move, level, "letter", batch)
                batch["stats"]["letter_count"] += 1
            if level.schedule_call and (move.id, level.id, "call") not in done:
                call_due = True
                self._plan_action(move, level, "call", batch)
            if level.manager_review and (move.id, level.id, "review") not in done:
                to_review |= move
                self._plan_action(move, level, "review", batch)
        if emails_due:
            self._plan_email(partner, emails_due, batch, state)
        if sms_due:
            self._plan_sms(partner, sms_due, batch, state)
        to_discuss = moves.filtered(lambda move: move.id in level_of)
        top = max(level_of.values(), key=lambda lvl: lvl.day_offset, default=batch["levels"].browse())
        batch["partner_levels"][top.id or False].append(partner.id)
        if to_discuss and (call_due or open_call):
            batch["activities"] += self._schedule_call(
                partner, to_discuss, level_of, open_call, call_due, batch, state
            )
        if to_review:
            batch["reviews"].append(self._review_vals(partner, to_review, level_of, batch))
            batch["stats"]["review_count"] += 1
        for move in moves:
            row = (move.id, *state[move.id])
            if row != move._cobranza_followup_row():
                batch["rows"].append(row)

    def _evaluate_move(self, move, batch, state):
        """Set the state of one invoice (level, next date, exclusion); return its level when it
        takes part in the follow-up."""
        stats, levels = batch["stats"], batch["levels"]
        stats["evaluated_count"] += 1
        due = move.cobranza_oldest_due_date or move.invoice_date_due
        days = (batch["today"] - due).days
        level, later = levels.browse(), None
        for offset, candidate in batch["level_offsets"]:
            if offset > days:
                later = candidate
                break
            level = candidate
        reason = batch["reasons"].get(move.id)
        next_date = due + timedelta(days=later.day_offset) if later and not reason else None
        state[move.id] = [
            level.id or None,
            next_date,
            bool(reason),
            reason or None,
            None,
            move.cobranza_letter_pending,
        ]
        if reason:
            stats["excluded_count"] += 1
            stats[f"excluded:{reason}"] += 1
            return levels.browse()
        return level

    def _plan_action(self, move, level, action, batch):
        batch["actions"].append(
            {
                "move_id": move.id,
                "level_id": level.id,
                "action": action,
                "run_id": self.id,
                "company_id": self.company_id.id,
                "partner_id": move.commercial_partner_id.id,
            }
        )

    def _plan_email(self, partner, emails_due, batch, state):
        """ONE e-mail to the customer listing every invoice due a message ((invoice, level) pairs),
        in the template of the highest level, if the contact gate allows it now, else postponed:
        the weekly limit of messages is never spent on one customer's invoices one by one."""
        moves = self.env["account.move"].concat(*(move for move, _level in emails_due))
        folios = ", ".join(move.l10n_latam_document_number or move.name for move in moves)
        if not partner.email:
            batch["log"].append(
                self.env._(
                    "%(partner)s has no e-mail: %(invoice)s not sent.",
                    partner=partner.display_name,
                    invoice=folios,
                )
            )
            return
        top_move, top_level = max(emails_due, key=lambda pair: (pair[1].day_offset, -pair[0].id))
        decision = partner._cobranza_decide(batch["guard"], "email", batch["now"])
        if decision["allowed"]:
            batch["emails"][top_level.mail_template_id].append((top_move.id, moves.ids))
            for move, level in emails_due:
                self._plan_action(move, level, "email", batch)
            batch["contacts"].append(self._contact_vals(partner, "email", batch["now"], (moves, top_level)))
            batch["guard"]["history"].setdefault((partner.id, "message"), []).append(
                decision["next_allowed_local"]
            )
            batch["stats"]["email_count"] += 1
            return
        # Forbidden now: queued, the gate is asked again at the next allowed moment (not at the
        # next daily run); the invoices' levels count as done so no run queues it twice.
        gate = self.env["cobranza.contact.gate"]
        batch["queued"].append(
            gate._cobranza_queue_vals(
                partner,
                self.company_id,
                top_level.mail_template_id,
                top_move,
                decision,
                self.name,
                f"{top_level.display_name}: {folios}",
                moves,
            )
        )
        for move, level in emails_due:
            self._plan_action(move, level, "email", batch)
        for move in moves:
            state[move.id][1] = decision["next_allowed"].date()
            state[move.id][4] = self.env._("E-mail: %(reason)s", reason=decision["reason"])
        batch["stats"]["postponed_count"] += 1
        batch["log"].append(
            self.env._(
                "E-mail to %(partner)s about %(invoice)s postponed to %(date)s: %(reason)s.",
                partner=partner.display_name,
                invoice=folios,
                date=batch["formatters"]["date"](decision["next_allowed_local"].date()),
                reason=decision["reason"],
            )
        )

    def _plan_sms(self, partner, sms_due, batch, state):
        """ONE SMS to the customer about every invoice due one ((invoice, level) pairs), in the
        template of the highest level, if the contact gate allows a message now (an e-mail sent
        by this run a moment ago counts). Refused or without a number, it is not sent and stays
        due: a later run asks the gate again while the invoices are at that level."""
        moves = self.env["account.move"].concat(*(move for move, _level in sms_due))
        folios = ", ".join(move.l10n_latam_document_number or move.name for move in moves)
        if batch["sms_numbers"] is None:
            batch["sms_numbers"] = self._sms_numbers(batch["partners"])
        if not batch["sms_numbers"][partner.id]:
            batch["stats"]["postponed_count"] += 1
            reason = self.env._("SMS: the customer has no valid mobile or phone number")
            for move in moves:
                state[move.id][4] = reason
            batch["log"].append(
                self.env._(
                    "%(partner)s has no valid mobile or phone number, or it is blacklisted: SMS "
                    "about %(invoice)s not sent.",
                    partner=partner.display_name,
                    invoice=folios,
                )
            )
            return
        top_level = max((level for _move, level in sms_due), key=lambda level: level.day_offset)
        decision = partner._cobranza_decide(batch["guard"], "sms", batch["now"])
        if not decision["allowed"]:
            batch["stats"]["postponed_count"] += 1
            for move in moves:
                state[move.id][1] = decision["next_allowed"].date()
                state[move.id][4] = self.env._("SMS: %(reason)s", reason=decision["reason"])
            batch["log"].append(
                self.env._(
                    "SMS to %(partner)s about %(invoice)s not sent: %(reason)s (allowed from %(date)s).",
                    partner=partner.display_name,
                    invoice=folios,
                    reason=decision["reason"],
                    date=batch["formatters"]["date"](decision["next_allowed_local"].date()),
                )
            )
            return
        batch["sms"][top_level.sms_template_id].append(partner.id)
        for move, level in sms_due:
            self._plan_action(move, level, "sms", batch)
        batch["contacts"].append(self._contact_vals(partner, "sms", batch["now"], (moves, top_level)))
        batch["guard"]["history"].setdefault((partner.id, "message"), []).append(
            decision["next_allowed_local"]
        )
        batch["stats"]["sms_count"] += 1

    def _sms_numbers(self, partners):
        """{partner id: the number its SMS would go to, or False}: its mobile, else its phone,
        formatted as Odoo's SMS does, and never a number of Odoo's phone blacklist (one query for
        the batch, so that the gate never logs a contact Odoo would cancel)."""
        numbers = {
            partner.id: partner._phone_format(fname="mobile") or partner._phone_format(fname="phone")
            for partner in partners
        }
        blacklisted = set(
            self.env["phone.blacklist"]
            .sudo()
            .search_fetch([("number", "in", [n for n in numbers.values() if n])], ["number"])
            .mapped("number")
        )
        return {pid: number if number not in blacklisted else False for pid, number in numbers.items()}

    def _send_sms(self, partner_ids_by_template):
        """Queue the batch's SMS (``sms.sms`` records Odoo's SMS queue sends), one per customer,
        rendered in batch per template with the customers' receivable figures read in one query
        and their collection page links made in one UPDATE; a note is logged on each customer."""
        Partner = self.env["res.partner"]
        partners = Partner.browse({pid for ids in partner_ids_by_template.values() for pid in ids})
        partners._cobranza_portal_ensure_token(self.company_id)
        figures = {
            partner_id: figure
            for (partner_id, _company), figure in self.env["cobranza.receivable"]
            ._cobranza_figures(self.company_id, partners)
            .items()
        }
        empty = receivable.Figure
        figures.update({pid: empty(pid, self.company_id.id) for pid in partners.ids if pid not in figures})
        Composer = self.env["sms.composer"].with_context(cobranza_sms_figures=figures)
        for template, partner_ids in partner_ids_by_template.items():
            composer = Composer.create(
                {
                    "composition_mode": "mass",
                    "res_model": "res.partner",
                    "res_ids": repr(partner_ids),
                    "template_id": template.id,
                    "body": template.body,
                    "mass_keep_log": True,
                    "mass_force_send": False,
                }
            )
            composer._action_send_sms()

    def _send_emails(self, template, entries):
        """Queue one e-mail per customer, rendered in batch on its top invoice and listing the
        customer's invoices (``entries``: (invoice id, invoice ids)); overridable for other channels."""
        mail_moves = dict(entries)
        move_ids = {move_id for ids in mail_moves.values() for move_id in ids} | set(mail_moves)
        self._ensure_portal_tokens(move_ids)
        Move = self.env["account.move"]
        Move.browse(move_ids).fetch(Move._cobranza_mail_fields())  # one query for every e-mail
        template.with_context(
            cobranza_mail_move_ids=mail_moves, cobranza_qweb_compiled={}, cobranza_mail_batch_cache={}
        ).send_mail_batch(list(mail_moves))

    def _ensure_portal_tokens(self, move_ids):
        """The links of a batch's e-mails: the invoices' portal tokens in one UPDATE and their
        customers' collection page tokens in another (rendering a link writes each missing one
        by itself)."""
        moves = self.env["account.move"].browse(move_ids)
        moves._cobranza_ensure_access_tokens()
        moves.commercial_partner_id._cobranza_portal_ensure_token(self.company_id)

    def _contact_vals(self, partner, channel, now, move_level):
        moves, level = move_level
        return {
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "channel": channel,
            "date": now,
            "user_id": self.env.user.id,
            "origin": self.name,
            "note": f"{level.display_name}: {', '.join(moves.mapped('name'))}",
        }

    def _prepare_formatters(self):
        """Amount and date formatters for activity notes, resolved once per run (format_amount
        and format_date look the language up on every call, which dominated the run)."""
        Lang = self.env["res.lang"]
        lang = Lang._lang_get(self.env.lang or "en_US") or Lang._lang_get("en_US")
        date_format = lang.date_format or "%m/%d/%Y"

        thousands, decimal = lang.thousands_sep or "", lang.decimal_point or "."

        def money(amount, currency):
            # Groups of three digits, as in every language the module ships (es_419, en_US).
            text = f"{currency.round(amount):,.{currency.decimal_places}f}"
            text = text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)
            if currency.position == "before":
                return f"{currency.symbol}\N{NO-BREAK SPACE}{text}"
            return f"{text}\N{NO-BREAK SPACE}{currency.symbol}"

        def date(value):
            return value.strftime(date_format) if value else ""

        # Translated once: the per-line lookup was a large share of building the notes.
        due_text = self.env._("due %(date)s")
        prefixes = {}  # document type id -> prefix shown before the folio
        lines = {}  # move id -> <li> of the invoice (Markup) (the same line in calls and reviews)

        def invoice_line(move):
            if move.id not in lines:
                doc_type = move.l10n_latam_document_type_id
                if doc_type.id not in prefixes:
                    prefixes[doc_type.id] = doc_type.doc_code_prefix or doc_type.code or ""
                due = date(move.cobranza_oldest_due_date or move.invoice_date_due)
                # Markup's % escapes each value: a third cheaper than Markup.format.
                lines[move.id] = Markup("<li>%s %s · %s · %s</li>") % (
                    prefixes[doc_type.id],
                    move.l10n_latam_document_number or move.name,
                    money(move.amount_residual, move.currency_id),
                    due_text % {"date": due},
                )
            return lines[move.id]

        return {"money": money, "date": date, "invoice_line": invoice_line}

    def _invoice_lines_html(self, moves, formatters):
        return Markup("<ul>%s</ul>") % Markup("").join(formatters["invoice_line"](move) for move in moves)

    def _schedule_call(self, partner, moves, level_of, existing, call_due, batch, state):
        """Keep ONE open collection call on the customer: update the open one (whoever scheduled
        it) or return the values of a new one; deadline moved to the next allowed moment."""
        context, stats, log = batch, batch["stats"], batch["log"]
        decision = partner._cobranza_decide(batch["guard"], "call", batch["now"])
        deadline = decision["next_allowed_local"].date()
        top_move = max(moves, key=lambda move: (level_of[move.id].day_offset, -move.id))
        level = level_of[top_move.id]
        user = (
            level.user_id
            or top_move.cobranza_collector_id
            or self.company_id.cobranza_default_collector_id
            or self._fallback_user(context)
        )
        if call_due:
            stats["call_count"] += 1
            if not decision["allowed"]:
                stats["postponed_count"] += 1
                reason = self.env._("Call: %(reason)s", reason=decision["reason"])
                for move in moves:
                    state[move.id][1] = deadline
                    state[move.id][4] = reason
                log.append(
                    self.env._(
                        "Call to %(partner)s postponed to %(date)s: %(reason)s.",
                        partner=partner.display_name,
                        date=batch["formatters"]["date"](deadline),
                        reason=decision["reason"],
                    )
                )
        # What the note says, in short: when it has not changed, the note is not even built.
        key = "|".join(
            [str(level.id), str(partner.cobranza_no_phone)]
            + [f"{move.id}:{move.amount_residual}:{move.cobranza_oldest_due_date}" for move in moves]
        )
        values = {}
        if not existing or existing.cobranza_note_key != key:
            values["note"] = self._call_note(partner, moves, level, context)
            values["cobranza_note_key"] = key
        if not existing or (existing.cobranza_note_key and existing.cobranza_note_key != key):
            # The queue names the tax documents to discuss, oldest first (a call somebody
            # scheduled by hand, with no note of the run yet, keeps its own summary).
            values["summary"] = self.env._(
                "Collection call: %(documents)s",
                documents=moves._cobranza_oldest_first()._cobranza_dte_summary(),
            )
        if not existing:
            return [
                {
                    "res_model_id": context["partner_model_id"],
                    "res_id": partner.id,
                    "activity_type_id": context["call_type"].id,
                    "cobranza_company_id": self.company_id.id,
                    "user_id": user.id,
                    "date_deadline": deadline,
                    **values,
                }
            ]
        if existing.user_id != user:
            values["user_id"] = user.id
        if not existing.cobranza_company_id:
            values["cobranza_company_id"] = self.company_id.id
        if call_due and existing.date_deadline != deadline:
            values["date_deadline"] = deadline
        if values:
            existing.with_context(mail_activity_quick_update=True).write(values)
        return []

    def _call_note(self, partner, moves, level, context):
        note = Markup("<p>%s</p>%s") % (
            self.env._("Invoices to discuss (level %(level)s):", level=level.display_name),
            self._invoice_lines_html(moves, context["formatters"]),
        )
        if partner.cobranza_no_phone:
            note += Markup("<p><b>%s</b></p>") % self.env._(
                "No phone: find another way to reach the customer."
            )
        if level.call_note:
            note += Markup("<p>%s</p>") % level.call_note
        return note

    def _fallback_user(self, context):
        """Who gets an activity nobody else is set to get (an activity needs a user): a
        collection manager of the company, else whoever started the run."""
        return context["manager"] or self.user_id or self.env.user

    def _review_vals(self, partner, moves, level_of, context):
        return {
            "res_model_id": context["partner_model_id"],
            "res_id": partner.id,
            "activity_type_id": context["todo_type"].id,
            "summary": self.env._("Collection manager review"),
            "note": Markup("<p>%s</p>%s")
            % (
                self.env._("These invoices reached a level that asks for a manager review:"),
                self._invoice_lines_html(moves, context["formatters"]),
            ),
            "user_id": (level_of[moves[:1].id].user_id or self._fallback_user(context)).id,
            "date_deadline": context["today"],
        }
