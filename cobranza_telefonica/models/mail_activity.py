from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_round

from ..services import priority, validation

CALL_TYPE_XMLID = "cobranza_telefonica.mail_activity_type_cobranza_call"
# The queue's figures of a call, in the order _cobranza_refresh_queue computes them.
QUEUE_FIELDS = (
    "cobranza_company_id",
    "cobranza_currency_id",
    "cobranza_amount_due",
    "cobranza_amount_overdue",
    "cobranza_days_overdue",
    "cobranza_priority",
    "cobranza_queue_state",
    "cobranza_blocked_reason",
    "cobranza_next_allowed",
)
# Written by the module's own code only (as superuser): the queue's figures and an authorisation.
PROTECTED_FIELDS = frozenset(
    {*QUEUE_FIELDS, "cobranza_override_reason", "cobranza_override_user_id", "cobranza_override_date"}
)


class MailActivity(models.Model):
    _inherit = "mail.activity"

    cobranza_is_call = fields.Boolean(
        string="Is a collection call", compute="_compute_cobranza_is_call", store=True, index=True
    )
    cobranza_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer to call",
        compute="_compute_cobranza_partner_id",
        store=True,
        index="btree_not_null",
    )
    cobranza_company_id = fields.Many2one(
        comodel_name="res.company",
        string="Collecting company",
        index="btree_not_null",
        help="The company whose invoices this collection call is about: a customer of two companies "
        "has one call per company, each with its own invoices, collector and figures.",
    )
    cobranza_call_at = fields.Datetime(string="Agreed call time")
    cobranza_currency_id = fields.Many2one(comodel_name="res.currency", string="Collection currency")
    cobranza_amount_due = fields.Monetary(string="Total due", currency_field="cobranza_currency_id")
    cobranza_amount_overdue = fields.Monetary(
        string="Overdue net of credits",
        currency_field="cobranza_currency_id",
        aggregator="sum",
        help="The customer's overdue instalments less its unapplied credits: what may be asked for.",
    )
    cobranza_days_overdue = fields.Integer(string="Days overdue", aggregator="max")
    cobranza_priority = fields.Float(
        string="Priority", digits=(16, 0), index=True, help="Amount overdue x days overdue x risk."
    )
    cobranza_queue_state = fields.Selection(
        selection=[
            ("overdue", "Overdue"),
            ("today", "Today"),
            ("blocked", "Blocked"),
            ("planned", "Planned"),
        ],
        string="Queue",
    )
    cobranza_blocked_reason = fields.Char(string="Blocked because")
    cobranza_next_allowed = fields.Datetime(string="Next allowed")
    cobranza_override_reason = fields.Text(string="Override justification")
    cobranza_override_user_id = fields.Many2one(comodel_name="res.users", string="Overridden by")
    cobranza_override_date = fields.Date(string="Override valid on")

    @api.depends("activity_type_id")
    def _compute_cobranza_is_call(self):
        call_type = self.env.ref(CALL_TYPE_XMLID, raise_if_not_found=False)
        for activity in self:
            activity.cobranza_is_call = bool(call_type) and activity.activity_type_id == call_type

    @api.depends("res_model", "res_id")
    def _compute_cobranza_partner_id(self):
        """The customer (commercial entity) an activity on a customer or an invoice is about, read
        in one query per model for the whole batch (the daily run creates thousands at once)."""
        targets = {}
        for activity in self:
            if activity.res_id and activity.res_model in ("res.partner", "account.move"):
                targets.setdefault(activity.res_model, set()).add(activity.res_id)
        partner_of = {}
        for model, ids in targets.items():
            records = self.env[model].browse(ids).exists()
            partner_of.update({(model, record.id): record.commercial_partner_id for record in records})
        empty = self.env["res.partner"]
        for activity in self:
            activity.cobranza_partner_id = partner_of.get((activity.res_model, activity.res_id), empty)

    # ------------------------------------------------------------------
    # Guardrails and queue
    # ------------------------------------------------------------------

    def _cobranza_company(self):
        """The company this collection call works for (older calls: the current company)."""
        self.ensure_one()
        return self.cobranza_company_id or self.env.company

    def _cobranza_authorized(self, when=None):
        """Whether a collection manager authorised this call for the company's day of ``when``."""
        self.ensure_one()
        return bool(self.cobranza_override_date) and self.cobranza_override_date == (
            self._cobranza_company()._cobranza_today(when)
        )

    def _cobranza_blocked_reason(self, when=None):
        """Return {activity id: {"reason": text, "next_allowed": UTC datetime, "code": reason}} for
        the calls of ``self`` that the contact gate (Ley 21.320: hours, days, holidays, calls per
        week) forbids at ``when`` (default now), each for its own company. The single place the
        queue and the call screen ask; a manager's authorisation for today lifts the weekly limit
        only."""
        when = when or self.env["res.company"]._cobranza_now()
        calls = self.filtered("cobranza_partner_id")
        gate = self.env["cobranza.contact.gate"]
        result = {}
        for company, company_calls in calls.grouped(lambda act: act._cobranza_company()).items():
            data = gate._cobranza_data(company, company_calls.cobranza_partner_id, when)
            for activity in company_calls:
                decision = gate._cobranza_decide(
                    data, activity.cobranza_partner_id, "call", when, activity._cobranza_authorized(when)
                )
                if not decision["allowed"]:
                    result[activity.id] = {
                        "reason": decision["reason"].capitalize(),
                        "next_allowed": decision["next_allowed"],
                        "code": decision["reason_code"],
                    }
        return result

    def _cobranza_refresh_queue(self):
        """Store the figures, priority and queue state of these call activities, in batch: the
        customer's receivable figure in the call's company (company currency), days overdue from
        its oldest open instalment, the priority on what may be asked for (net of credits). Only
        the activities whose figures changed are written, in one UPDATE: opening the queue again
        writes nothing, so it never waits on (nor locks) a call a collector is saving."""
        activities = self.sudo().filtered("cobranza_is_call")
        if not activities:
            return
        blocked = activities._cobranza_blocked_reason()
        Receivable = self.env["cobranza.receivable"]
        rows = []
        for company, calls in activities.grouped(lambda act: act._cobranza_company()).items():
            today = company._cobranza_today()
            currency = company.currency_id
            figures = Receivable._cobranza_figures(company, calls.cobranza_partner_id)
            for activity in calls:
                partner = activity.cobranza_partner_id
                figure = figures.get((partner.id, company.id))
                risk = priority.risk_factor(partner.with_company(company).cobranza_risk_segment)
                collectible = figure.collectible if figure else 0.0
                days = figure.days_overdue(today) if figure else 0
                block = blocked.get(activity.id)
                if block:
                    state = "blocked"
                elif activity.date_deadline < today:
                    state = "overdue"
                elif activity.date_deadline == today:
                    state = "today"
                else:
                    state = "planned"
                row = (
                    company.id,
                    currency.id,
                    currency.round(figure.balance if figure else 0.0),
                    currency.round(collectible),
                    days,
                    float_round(priority.priority_score(collectible, days, risk), precision_digits=0),
                    state,
                    block["reason"] if block else None,
                    block["next_allowed"] if block else None,
                )
                if row != activity._cobranza_queue_row():
                    rows.append((activity.id, *row))
        self._cobranza_write_queue_rows(rows)

    def _cobranza_queue_row(self):
        """The stored queue figures of this activity, in the order of QUEUE_FIELDS."""
        return (
            self.cobranza_company_id.id,
            self.cobranza_currency_id.id,
            self.cobranza_amount_due,
            self.cobranza_amount_overdue,
            self.cobranza_days_overdue,
            self.cobranza_priority,
            self.cobranza_queue_state or None,
            self.cobranza_blocked_reason or None,
            self.cobranza_next_allowed or None,
        )

    @api.model
    def _cobranza_write_queue_rows(self, rows):
        """Write queue figures ((activity id, *values in the order of QUEUE_FIELDS)) in one UPDATE.
        Only the queue's refresh computes these fields (no user writes them)."""
        if not rows:
            return
        Activity = self.env["mail.activity"]
        Activity.flush_model(QUEUE_FIELDS)
        values = SQL(", ").join(
            SQL(
                "(%s, %s::int, %s::int, %s::numeric, %s::numeric, %s::int, %s::numeric, %s::varchar, "
                "%s::varchar, %s::timestamp)",
                *row,
            )
            for row in rows
        )
        self.env.cr.execute(
            SQL(
                "UPDATE mail_activity a SET %s FROM (VALUES %s) AS v(id, %s) WHERE a.id = v.id",
                SQL(", ").join(
                    SQL("%s = v.%s", SQL.identifier(name), SQL.identifier(name)) for name in QUEUE_FIELDS
                ),
                values,
                SQL(", ").join(SQL.identifier(name) for name in QUEUE_FIELDS),
            )
        )
        Activity.browse([row[0] for row in rows]).invalidate_recordset(QUEUE_FIELDS)

    @api.model
    def _cobranza_queue_domain(self):
        """Today's collection calls of the current company (the company switcher's active one:
        one company, one currency, one day)."""
        domain = [
            ("cobranza_is_call", "=", True),
            ("date_deadline", "<=", self.env.company._cobranza_today()),
            ("cobranza_company_id", "in", [False, self.env.company.id]),
        ]
        if not self.env.user.has_group("cobranza_telefonica.group_cobranza_manager"):
            domain.append(("user_id", "=", self.env.uid))
        return domain

    @api.model
    def _cobranza_queue_next(self, exclude=None):
        """The calls of the user's queue today in the queue's order (highest priority first),
        figures refreshed, without ``exclude`` (the call just made) nor the blocked ones."""
        domain = self._cobranza_queue_domain()
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        self.search(domain)._cobranza_refresh_queue()
        domain.append(("cobranza_queue_state", "!=", "blocked"))
        return self.search(domain, order="cobranza_priority desc, date_deadline asc, id asc")

    @api.model
    def action_cobranza_my_calls(self):
        """The queue "My calls today": refresh the priorities, then list them, highest first."""
        self.search(self._cobranza_queue_domain())._cobranza_refresh_queue()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranza_telefonica.action_cobranza_call_queue"
        )
        action["domain"] = self._cobranza_queue_domain()
        if self.env.user.has_group("cobranza_telefonica.group_cobranza_manager"):
            # A manager sees every collector's calls, by collector.
            action["context"] = {"create": False, "search_default_group_user": 1}
        return action

    # ------------------------------------------------------------------
    # Starting a call
    # ------------------------------------------------------------------

    def action_cobranza_start_call(self):
        """Start the guided call of this collection call activity (refused while blocked)."""
        self.ensure_one()
        if not self.cobranza_is_call:
            raise UserError(self.env._("This activity is not a collection call."))
        moves = self.env["account.move"]
        if self.res_model == "account.move":
            moves = self.env["account.move"].browse(self.res_id)
        return self._cobranza_open_call_wizard(self.cobranza_partner_id, moves=moves, activity=self)

    @api.model
    def _cobranza_open_call_wizard(self, partner, moves=None, activity=None):
        """The window action of the call screen for ``partner``, the one entry point of every call
        (queue, chatter, customer, invoice): the contact gate is asked first and a blocked call
        does not open. Without an activity, the customer's oldest open collection call is used."""
        partner = partner.commercial_partner_id
        if activity is None:
            activity = self.search(
                [
                    ("cobranza_is_call", "=", True),
                    ("cobranza_partner_id", "=", partner.id),
                    ("cobranza_company_id", "in", [False, self.env.company.id]),
                ],
                order="cobranza_company_id asc, date_deadline asc, id asc",
                limit=1,
            )
        if activity:
            activity._cobranza_check_call_activity(partner)
        company = activity._cobranza_company() if activity else self.env.company
        if company not in self.env.companies:
            raise UserError(
                self.env._(
                    "This collection call is about the invoices of %(company)s: select that company "
                    "to make it.",
                    company=company.name,
                )
            )
        block = (activity or self)._cobranza_call_block(partner)
        if block:
            raise UserError(block)
        context = {
            "dialog_size": "extra-large",
            "default_partner_id": partner.id,
            "default_activity_id": activity.id if activity else False,
            "default_company_id": company.id,
        }
        if moves:
            context["default_move_ids"] = moves.ids
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Collection call: %(customer)s", customer=partner.display_name),
            "res_model": "cobranza.call.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_cobranza_blocked_info(self):
        """The queue's button on a blocked call: why it may not be made now and when it may (the
        gate's own sentence); a call no longer blocked opens its call screen."""
        self.ensure_one()
        message = self._cobranza_call_block(self.cobranza_partner_id)
        if not message:
            return self.action_cobranza_start_call()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Not now: %(customer)s", customer=self.cobranza_partner_id.display_name),
                "message": message,
                "type": "warning",
                "sticky": False,
            },
        }

    def _cobranza_call_block(self, partner, when=None):
        """Why calling ``partner`` now is refused (a sentence saying when it is next allowed), or
        "" when the gate allows it; ``self`` is the call activity (or empty), whose manager's
        authorisation for today lifts the weekly limit."""
        company = self._cobranza_company() if self else self.env.company
        when = when or company._cobranza_now()
        authorized = bool(self) and self._cobranza_authorized(when)
        gate = self.env["cobranza.contact.gate"]
        decision = gate._cobranza_check(partner, "call", company, when, authorized)[partner.id]
        if decision["allowed"]:
            return ""
        message = gate._cobranza_refusal(partner, decision, "call")
        if decision["reason_code"] == "calls_week":
            message += " " + self.env._("A collection manager may authorise it.")
        return message

    def _cobranza_check_call_activity(self, partner):
        """The activity a call closes must be a collection call of that customer, the user's own
        unless they are a collection manager."""
        self.ensure_one()
        if not self.cobranza_is_call or self.cobranza_partner_id != partner.commercial_partner_id:
            raise UserError(
                self.env._(
                    "This activity is not a collection call of %(customer)s.",
                    customer=partner.commercial_partner_id.display_name,
                )
            )
        if self.user_id != self.env.user and not self.env.user.has_group(
            "cobranza_telefonica.group_cobranza_manager"
        ):
            raise UserError(self.env._("This collection call is assigned to another collector."))

    def action_cobranza_override(self):
        """Ask the manager's justification to lift today's block of this call."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override the contact guardrails"),
            "res_model": "cobranza.call.override",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_activity_id": self.id},
        }

    def _cobranza_override(self, reason):
        """Lift today's block of this call with a manager's written justification, logged on the
        customer's chatter."""
        self.ensure_one()
        if not self.env.user.has_group("cobranza_telefonica.group_cobranza_manager"):
            raise UserError(self.env._("Only a collection manager may override the contact guardrails."))
        if not (reason or "").strip():
            raise UserError(self.env._("Write why the guardrails are overridden."))
        reason = validation.strip_nul(reason)
        block = self.sudo()._cobranza_blocked_reason().get(self.id)
        if block and block["code"] != "calls_week":
            raise UserError(
                self.env._(
                    "%(reason)s: a manager may lift the weekly limit of calls, never the allowed "
                    "days and hours (Ley 21.320).",
                    reason=block["reason"],
                )
            )
        local_today = self._cobranza_company()._cobranza_today()
        self.sudo().write(
            {
                "cobranza_override_reason": reason,
                "cobranza_override_user_id": self.env.uid,
                "cobranza_override_date": local_today,
            }
        )
        self.cobranza_partner_id.sudo().message_post(
            body=self.env._(
                "%(manager)s overrode the contact guardrails for today's call (%(reason)s): "
                "%(justification)s",
                manager=self.env.user.name,
                reason=block["reason"] if block else self.env._("not blocked"),
                justification=reason,
            ),
            author_id=self.env.user.partner_id.id,
        )
        self._cobranza_refresh_queue()
        return True

    def action_cobranza_reassign(self):
        """Ask the manager for the collector who makes these calls instead."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reassign calls"),
            "res_model": "cobranza.call.reassign",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_activity_ids": self.ids},
        }

    def _cobranza_reassign(self, user):
        """Give these collection calls to the collector ``user`` (a collection manager's
        decision), noted on each customer's chatter."""
        if not self.env.user.has_group("cobranza_telefonica.group_cobranza_manager"):
            raise UserError(self.env._("Only a collection manager may reassign collection calls."))
        if not self or not all(self.mapped("cobranza_is_call")):
            raise UserError(self.env._("Choose collection calls to reassign."))
        if not user.has_group("cobranza_telefonica.group_cobranza_collector"):
            raise UserError(self.env._("%(user)s is not a collector.", user=user.name))
        for activity in self:
            company = activity._cobranza_company()
            if company not in user.company_ids:
                raise UserError(
                    self.env._(
                        "%(user)s does not work in %(company)s, whose customer %(customer)s is to be called.",
                        user=user.name,
                        company=company.name,
                        customer=activity.cobranza_partner_id.display_name,
                    )
                )
        moved = self.filtered(lambda act: act.user_id != user)
        for activity in moved:
            activity.cobranza_partner_id.sudo().message_post(
                body=self.env._(
                    "%(manager)s gave the collection call to %(new)s (was %(old)s).",
                    manager=self.env.user.name,
                    new=user.name,
                    old=activity.user_id.name or self.env._("nobody"),
                ),
                author_id=self.env.user.partner_id.id,
            )
        moved.sudo().write({"user_id": user.id})
        return True

    def write(self, vals):
        if not self.env.su and PROTECTED_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "The queue figures and a manager's authorisation of a call are set by the module only."
                )
            )
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(PROTECTED_FIELDS.intersection(vals) for vals in vals_list):
            raise AccessError(
                self.env._(
                    "The queue figures and a manager's authorisation of a call are set by the module only."
                )
            )
        return super().create(vals_list)

    cobranza_note_key = fields.Char(
        copy=False,
        help="Technical: what the follow-up run last wrote in the note of this collection call, "
        "so that an unchanged note is not rewritten on every run.",
    )
