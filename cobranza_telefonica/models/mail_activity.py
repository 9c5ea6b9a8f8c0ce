import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services import priority

CALL_TYPE_XMLID = "cobranza_telefonica.mail_activity_type_cobranza_call"


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
    cobranza_call_at = fields.Datetime(string="Agreed call time")
    cobranza_currency_id = fields.Many2one(comodel_name="res.currency", string="Collection currency")
    cobranza_amount_due = fields.Monetary(string="Total due", currency_field="cobranza_currency_id")
    cobranza_amount_overdue = fields.Monetary(
        string="Amount overdue", currency_field="cobranza_currency_id", aggregator="sum"
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
        for activity in self:
            partner = self.env["res.partner"]
            if activity.res_id and activity.res_model == "res.partner":
                partner = self.env["res.partner"].browse(activity.res_id).exists().commercial_partner_id
            elif activity.res_id and activity.res_model == "account.move":
                partner = self.env["account.move"].browse(activity.res_id).exists().commercial_partner_id
            activity.cobranza_partner_id = partner

    # ------------------------------------------------------------------
    # Guardrails and queue
    # ------------------------------------------------------------------

    def _cobranza_blocked_reason(self, when=None):
        """Return {activity id: {"reason": text, "next_allowed": UTC datetime}} for the calls of
        ``self`` that the contact guardrails (Ley 21.320: hours, days, holidays, calls per week)
        forbid at ``when`` (default now). The single place the queue and the call screen ask; an
        override by a manager for today lifts the block."""
        when = when or self.env["res.company"]._cobranza_now()
        company = self.env.company
        local_today = pytz.utc.localize(when).astimezone(company._cobranza_tz()).date()
        calls = self.filtered(lambda activity: activity.cobranza_override_date != local_today)
        partners = calls.cobranza_partner_id
        if not partners:
            return {}
        data = self.env["res.partner"]._cobranza_guardrail_data(company, partners, when)
        decisions = {partner.id: partner._cobranza_decide(data, "call", when) for partner in partners}
        result = {}
        for activity in calls:
            decision = decisions.get(activity.cobranza_partner_id.id)
            if decision and not decision["allowed"]:
                result[activity.id] = {
                    "reason": decision["reason"].capitalize(),
                    "next_allowed": decision["next_allowed"],
                }
        return result

    def _cobranza_refresh_queue(self):
        """Store the figures, priority and queue state of these call activities, in batch."""
        activities = self.sudo().filtered("cobranza_is_call")
        if not activities:
            return
        company = self.env.company
        today = self.env.company._cobranza_today()
        figures = self.env["res.partner"]._cobranza_overdue_figures(
            activities.cobranza_partner_id, company, today
        )
        blocked = activities._cobranza_blocked_reason()
        for activity in activities:
            risk = priority.risk_factor(activity.cobranza_partner_id.cobranza_risk_segment)
            overdue, days, total = figures.get(activity.cobranza_partner_id.id, (0.0, 0, 0.0))
            block = blocked.get(activity.id)
            if block:
                state = "blocked"
            elif activity.date_deadline < today:
                state = "overdue"
            elif activity.date_deadline == today:
                state = "today"
            else:
                state = "planned"
            activity.write(
                {
                    "cobranza_currency_id": company.currency_id.id,
                    "cobranza_amount_due": total,
                    "cobranza_amount_overdue": overdue,
                    "cobranza_days_overdue": days,
                    "cobranza_priority": priority.priority_score(overdue, days, risk),
                    "cobranza_queue_state": state,
                    "cobranza_blocked_reason": block["reason"] if block else False,
                    "cobranza_next_allowed": block["next_allowed"] if block else False,
                }
            )

    @api.model
    def _cobranza_queue_domain(self):
        domain = [
            ("cobranza_is_call", "=", True),
            ("date_deadline", "<=", self.env.company._cobranza_today()),
        ]
        if not self.env.user.has_group("cobranza_telefonica.group_cobranza_manager"):
            domain.append(("user_id", "=", self.env.uid))
        return domain

    @api.model
    def action_cobranza_my_calls(self):
        """The queue "My calls today": refresh the priorities, then list them, highest first."""
        self.search(self._cobranza_queue_domain())._cobranza_refresh_queue()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranza_telefonica.action_cobranza_call_queue"
        )
        action["domain"] = self._cobranza_queue_domain()
        return action

    # ------------------------------------------------------------------
    # Starting a call
    # ------------------------------------------------------------------

    def action_cobranza_start_call(self):
        """Start the guided call of this collection call activity (refused while blocked)."""
        self.ensure_one()
        if not self.cobranza_is_call:
            raise UserError(self.env._("This activity is not a collection call."))
        block = self._cobranza_blocked_reason().get(self.id)
        if block:
            raise UserError(
                self.env._(
                    "This call is blocked: %(reason)s Next allowed: %(when)s. "
                    "A collection manager may override it.",
                    reason=block["reason"],
                    when=fields.Datetime.to_string(
                        fields.Datetime.context_timestamp(self, block["next_allowed"])
                    )[:16],
                )
            )
        moves = self.env["account.move"]
        if self.res_model == "account.move":
            moves = self.env["account.move"].browse(self.res_id)
        return self._cobranza_open_call_wizard(self.cobranza_partner_id, moves=moves, activity=self)

    @api.model
    def _cobranza_open_call_wizard(self, partner, moves=None, activity=None):
        """The window action of the call screen for ``partner``; without an activity, the
        customer's oldest open collection call is used when there is one."""
        if activity is None:
            activity = self.search(
                [("cobranza_is_call", "=", True), ("cobranza_partner_id", "=", partner.id)],
                order="date_deadline asc, id asc",
                limit=1,
            )
        context = {
            "dialog_size": "extra-large",
            "default_partner_id": partner.id,
            "default_activity_id": activity.id if activity else False,
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
        block = self.sudo()._cobranza_blocked_reason().get(self.id)
        local_today = self.env.company._cobranza_today()
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

    cobranza_note_key = fields.Char(
        copy=False,
        help="Technical: what the follow-up run last wrote in the note of this collection call, "
        "so that an unchanged note is not rewritten on every run.",
    )
