import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..services import clock

DEFAULT_TZ = "America/Santiago"
# The transaction setting through which SQL reads the module's clock (see _cobranza_set_sql_clock).
SQL_CLOCK_SETTING = "cobranza.now"

DEFAULT_LEVELS = [
    (-3, "preventive", "Recordatorio preventivo", {"send_email": True}, "mail_template_cobranza_preventive"),
    (0, "due", "Día de vencimiento: llamada", {"schedule_call": True}, None),
    (7, "overdue", "7 días vencida: llamada", {"schedule_call": True}, None),
    (
        15,
        "overdue",
        "15 días vencida: llamada y e-mail",
        {"schedule_call": True, "send_email": True},
        "mail_template_cobranza_overdue",
    ),
    (
        30,
        "overdue",
        "30 días vencida: llamada y carta formal",
        {"schedule_call": True, "print_letter": True},
        None,
    ),
    (60, "overdue", "60 días vencida: revisión del jefe de cobranza", {"manager_review": True}, None),
    (90, "overdue", "90 días vencida: prejudicial", {"manager_review": True, "pre_legal": True}, None),
]
# The SMS text each shipped level offers by its stage (off until a manager ticks "Send SMS": an SMS
# costs credits).
DEFAULT_SMS_TEMPLATES = {
    "preventive": "sms_template_cobranza_preventive",
    "due": "sms_template_cobranza_due",
    "overdue": "sms_template_cobranza_overdue",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    cobranza_default_collector_id = fields.Many2one(
        comodel_name="res.users",
        string="Default collector",
        check_company=True,
        domain="[('share', '=', False)]",
        help="Collects the invoices of customers that have no collector of their own and whose "
        "salesperson is not a collector.",
    )
    cobranza_rating_email = fields.Boolean(
        string="Ask for a rating by e-mail after a call",
        default=True,
        help="After a call that reached someone, e-mail the debtor the call's rating links, when the "
        "contact limits allow it at that moment (never queued for later). It uses one of the week's "
        "messages of the debtor; off, the rating is offered on the collection page only.",
    )
    cobranza_count_unanswered_calls = fields.Boolean(
        string="Unanswered calls count toward the weekly limit",
        default=True,
        help="On: every call attempt, answered or not, counts toward the weekly limit of calls "
        "(the safe reading of Ley 21.320). Off: attempts that reached nobody (no answer, busy, "
        "voicemail) are logged but do not use up the week's call.",
    )
    cobranza_promise_reminder_days = fields.Integer(
        string="Promise reminder (days before)",
        default=1,
        help="The customer gets the reminder e-mail this many days before the promised date.",
    )
    cobranza_promise_grace_days = fields.Integer(
        string="Promise grace (days)",
        default=2,
        help="Payments dated up to this many days after the promised date still keep the promise.",
    )
    cobranza_promise_horizon_days = fields.Integer(
        string="Promise horizon (days)",
        default=60,
        help="A single promise may not be dated further away than this; longer arrangements are "
        "payment plans.",
    )

    @api.constrains(
        "cobranza_promise_reminder_days", "cobranza_promise_grace_days", "cobranza_promise_horizon_days"
    )
    def _check_cobranza_promise_days(self):
        for company in self:
            if (
                company.cobranza_promise_reminder_days < 0
                or company.cobranza_promise_grace_days < 0
                or company.cobranza_promise_horizon_days < 1
            ):
                raise ValidationError(
                    self.env._(
                        "Promise settings: reminder and grace days cannot be negative and the horizon "
                        "must be at least one day."
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._cobranza_create_default_levels()
        return companies

    @api.constrains("cobranza_default_collector_id")
    def _check_cobranza_default_collector(self):
        for company in self:
            user = company.cobranza_default_collector_id
            if user and company not in user.company_ids:
                raise ValidationError(
                    self.env._(
                        "%(user)s does not work for %(company)s: the default collector must be a user "
                        "of the company.",
                        user=user.name,
                        company=company.name,
                    )
                )

    @api.model
    def _cobranza_create_default_levels(self):
        """Give each company of ``self`` (all companies when empty) the shipped follow-up levels,
        contact guardrails it does not have yet (public holidays come from the ``holidays`` package).
        Safe to call again."""
        companies = self or self.sudo().search([])  # pylint: disable=no-search-all
        Level = self.env["cobranza.level"].sudo().with_context(active_test=False)
        has_levels = {
            company.id
            for [company] in Level._read_group([("company_id", "in", companies.ids)], ["company_id"])
        }
        level_vals = []
        for company in companies.filtered(lambda c: c.id not in has_levels):
            for offset, stage, name, actions, template_xmlid in DEFAULT_LEVELS:
                actions = dict(actions)
                template = template_xmlid and self.env.ref(f"cobranza_telefonica.{template_xmlid}", False)
                if actions.get("send_email"):
                    if template:
                        actions["mail_template_id"] = template.id
                    else:
                        actions.pop("send_email")
                if not any(
                    actions.get(key)
                    for key in ("send_email", "schedule_call", "print_letter", "manager_review")
                ):
                    continue
                sms_template = self.env.ref(f"cobranza_telefonica.{DEFAULT_SMS_TEMPLATES[stage]}", False)
                if sms_template:
                    actions["sms_template_id"] = sms_template.id
                level_vals.append(
                    {"company_id": company.id, "day_offset": offset, "stage": stage, "name": name, **actions}
                )
        Level.create(level_vals)

        Guardrail = self.env["cobranza.guardrail"].sudo()
        existing = {
            (g.company_id.id, g.debtor_type) for g in Guardrail.search([("company_id", "in", companies.ids)])
        }
        Guardrail.create(
            [
                {"company_id": company.id, "debtor_type": debtor_type}
                for company in companies
                for debtor_type in ("person", "company")
                if (company.id, debtor_type) not in existing
            ]
        )

        return True

    @api.model
    def _cobranza_now(self):
        """Now, UTC naive: the module's one clock (``services.clock``), which tests control."""
        return clock.now()

    def _cobranza_today(self, when=None):
        """The company's local date at ``when`` (UTC, default now): "today" for collection."""
        self.ensure_one()
        moment = when or self._cobranza_now()
        return pytz.utc.localize(moment).astimezone(self._cobranza_tz()).date()

    def _cobranza_local(self, when=None):
        """``when`` (UTC, default now) as a naive datetime in the company's time zone."""
        self.ensure_one()
        moment = when or self._cobranza_now()
        return pytz.utc.localize(moment).astimezone(self._cobranza_tz()).replace(tzinfo=None)

    def _cobranza_tz(self):
        """The company's time zone: its partner's, else Chile's."""
        self.ensure_one()
        return pytz.timezone(self.partner_id.tz or DEFAULT_TZ)

    # The same day in SQL: the moment comes from the module's clock, which Python hands to the
    # transaction (``_cobranza_set_sql_clock``); a query run outside Odoo falls back to now().

    @api.model
    def _cobranza_set_sql_clock(self):
        """Give this transaction the module's clock (setting ``cobranza.now``, UTC), which
        ``_cobranza_today_sql`` reads: SQL and Python then agree on "today" to the second."""
        moment = self._cobranza_now().isoformat(" ")
        self.env.cr.execute(SQL("SELECT set_config(%s, %s, true)", SQL_CLOCK_SETTING, moment))
        # Rows of the aging read at another moment (tests move the clock) are read again.
        if self.env.cr.cache.get(SQL_CLOCK_SETTING) != moment:
            self.env.cr.cache[SQL_CLOCK_SETTING] = moment
            self.env["cobranza.aging.report"].invalidate_model()

    @api.model
    def _cobranza_today_sql(self):
        """A query of (company_id, today): each company's local date, as ``_cobranza_today``.
        The ``GROUP BY`` keeps PostgreSQL from folding it into the query that joins it (the day is
        computed once per company, not a dozen times per journal item: 5x slower on a million
        lines) while leaving the join parallel-safe (``OFFSET 0`` would move the aggregation out
        of the parallel workers). It groups by the company alone (one row per company, the day
        an aggregate of that one row), so PostgreSQL knows ``company_id`` is unique: a ``LEFT
        JOIN`` of it that a query does not read (the aging by customer) is dropped from the plan
        (bench/bench_aging.py: 1.31x -> 1.22x of a plain GROUP BY)."""
        return SQL(
            """
            SELECT company.id AS company_id,
                   MAX(((COALESCE(NULLIF(current_setting(%(setting)s, true), '')::timestamp,
                                  now() AT TIME ZONE 'UTC')
                         AT TIME ZONE 'UTC')
                        AT TIME ZONE COALESCE(NULLIF(company_partner.tz, ''), %(tz)s))::date) AS today
              FROM res_company company
              JOIN res_partner company_partner ON company_partner.id = company.partner_id
             GROUP BY company.id
            """,
            setting=SQL_CLOCK_SETTING,
            tz=DEFAULT_TZ,
        )


# Kept apart from the class above so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class ResCompanyDiscount(models.Model):
    _inherit = "res.company"

    cobranza_discount_post = fields.Boolean(
        string="Post discount credit notes",
        default=True,
        help="Post the credit note (DTE 61) of an applied discount at once; otherwise it is left "
        "in draft for the accountant, and the invoice stays open until it is posted.",
    )
    cobranza_discount_method = fields.Selection(
        selection=[
            ("credit_note", "Credit note (DTE 61)"),
            ("financial", "Financial discount (no tax change)"),
        ],
        string="Discount accounting",
        default="credit_note",
        required=True,
        help="Credit note: a DTE 61 referencing the invoice lowers the net and the VAT (Chile's "
        "way). Financial discount: a journal entry writes the discount off to an expense account; "
        "the VAT already declared does not change.",
    )
    cobranza_discount_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Financial discount account",
        check_company=True,
        help="The expense account financial discounts are written off to.",
    )

    @api.constrains("cobranza_discount_method", "cobranza_discount_account_id")
    def _check_cobranza_discount_account(self):
        for company in self:
            if company.cobranza_discount_method == "financial" and not company.cobranza_discount_account_id:
                raise ValidationError(
                    self.env._(
                        "%(company)s writes discounts off as financial discounts: choose the account.",
                        company=company.name,
                    )
                )
