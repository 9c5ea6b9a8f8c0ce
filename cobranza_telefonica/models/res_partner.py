import logging
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.modules import module as odoo_module
from odoo.tools import SQL, format_amount, format_date, format_datetime

from ..services import guardrails, script_render, validation
from ..services.kpi import RISK_SEGMENTS, overdue_ratio, risk_segment
from .account_move import SCRIPT_INVOICE_ITEMS, cobranza_search_numbers

_logger = logging.getLogger(__name__)

PROMISE_GROUP = "cobranza_telefonica.group_cobranza_collector"


def to_local(moment, tz):
    """UTC naive datetime -> naive datetime in ``tz``."""
    return pytz.utc.localize(moment).astimezone(tz).replace(tzinfo=None)


def to_utc(moment, tz):
    """Naive datetime in ``tz`` -> UTC naive datetime (Odoo's convention)."""
    return tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)


class ResPartner(models.Model):
    _inherit = "res.partner"

    cobranza_collector_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        company_dependent=True,
        domain="[('share', '=', False)]",
        tracking=True,
        help="The collector who calls this customer about its open invoices.",
    )
    cobranza_on_hold = fields.Boolean(
        string="Collection on hold",
        company_dependent=True,
        tracking=True,
        help="While on hold, the follow-up run leaves this customer's invoices alone.",
    )
    cobranza_debtor_type = fields.Selection(
        selection=[("person", "Natural person"), ("company", "Company")],
        string="Debtor type",
        compute="_compute_cobranza_debtor_type",
        store=True,
        readonly=False,
        help="Natural persons are consumer debtors under Chile's Ley 21.320 (contact limits).",
    )

    @api.depends("is_company")
    def _compute_cobranza_debtor_type(self):
        for partner in self:
            partner.cobranza_debtor_type = "company" if partner.is_company else "person"

    cobranza_promise_flag = fields.Boolean(
        string="Breaks promises",
        company_dependent=True,
        tracking=True,
        help="Set when the customer breaks two promises to pay within 90 days; the collection "
        "managers are told. Clear it by hand once the customer is back on track.",
    )
    cobranza_promise_count = fields.Integer(
        string="Promises", compute="_compute_cobranza_promise_stats", groups=PROMISE_GROUP
    )
    cobranza_promise_kept_count = fields.Integer(
        string="Promises kept", compute="_compute_cobranza_promise_stats", groups=PROMISE_GROUP
    )
    cobranza_promise_broken_count = fields.Integer(
        string="Promises broken", compute="_compute_cobranza_promise_stats", groups=PROMISE_GROUP
    )
    cobranza_promise_partial_count = fields.Integer(
        string="Promises partially kept", compute="_compute_cobranza_promise_stats", groups=PROMISE_GROUP
    )
    cobranza_promise_kept_ratio = fields.Float(
        string="Promises kept ratio",
        compute="_compute_cobranza_promise_stats",
        groups=PROMISE_GROUP,
        help="Kept promises over the promises already decided (kept, partially kept or broken), 0 to 1.",
    )
    cobranza_promise_amount = fields.Monetary(
        string="Amount promised",
        compute="_compute_cobranza_promise_stats",
        currency_field="cobranza_promise_currency_id",
        groups=PROMISE_GROUP,
    )
    cobranza_promise_amount_paid = fields.Monetary(
        string="Amount collected on promises",
        compute="_compute_cobranza_promise_stats",
        currency_field="cobranza_promise_currency_id",
        groups=PROMISE_GROUP,
    )
    cobranza_promise_currency_id = fields.Many2one(
        comodel_name="res.currency", compute="_compute_cobranza_promise_stats", groups=PROMISE_GROUP
    )

    def _compute_cobranza_promise_stats(self):
        """Promise figures of the customer (its commercial entity), in one grouped query."""
        commercial = self.commercial_partner_id
        stats = self.env["cobranza.promise"]._cobranza_stats(
            "commercial_partner_id", [("commercial_partner_id", "in", commercial.ids)]
        )
        for partner in self:
            figures = stats.get(partner.commercial_partner_id.id, {})
            partner.cobranza_promise_count = figures.get("count", 0)
            partner.cobranza_promise_kept_count = figures.get("kept", 0)
            partner.cobranza_promise_broken_count = figures.get("broken", 0)
            partner.cobranza_promise_partial_count = figures.get("partial", 0)
            partner.cobranza_promise_kept_ratio = figures.get("kept_ratio", 0.0)
            partner.cobranza_promise_amount = figures.get("amount", 0.0)
            partner.cobranza_promise_amount_paid = figures.get("amount_paid", 0.0)
            # The amounts' own currency (the promises' companies' currency); amounts are 0 when
            # they span companies of two currencies.
            currency = self.env["res.currency"].browse(figures.get("currency_id") or [])
            partner.cobranza_promise_currency_id = currency or self.env.company.currency_id

    def action_cobranza_view_promises(self):
        """The customer's promises to pay, from the smart button."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranza_telefonica.action_cobranza_promise")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # Payment behaviour and risk segment (issue 6), per company, refreshed by a daily cron.

    cobranza_avg_days_late = fields.Float(
        string="Average days late",
        digits=(16, 1),
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Days the customer paid after the due date over the last 12 months, weighted by "
        "amount (payments on time count as 0), in the current company. Refreshed every day.",
    )
    cobranza_overdue_ratio = fields.Float(
        string="Overdue share",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Share (0-1) of the customer's balance with the current company that is past due, at "
        "the last refresh.",
    )
    cobranza_risk_segment = fields.Selection(
        selection=list(RISK_SEGMENTS),
        string="Risk segment",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="A: pays on time; B: some delay; C: pays a month late, half its debt overdue or "
        "breaks its promises. Per company, refreshed every day.",
    )

    @api.model
    def _cobranza_avg_days_late(self, company, today, partner_ids=None):
        """{commercial partner id: average days late} from the payments (account.payment or bank
        statement lines, not credit notes) reconciled with posted customer invoices of ``company``
        in the 12 months up to ``today``: payment date minus due date, at least 0, weighted by
        amount (company currency)."""
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model()
        partner_filter = SQL("")
        if partner_ids is not None:
            partner_filter = SQL(
                "AND COALESCE(partner.commercial_partner_id, inv.partner_id) IN %s",
                tuple(partner_ids) or (0,),
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(partner.commercial_partner_id, inv.partner_id),
                       SUM(part.amount * GREATEST(pay.date - COALESCE(inv.date_maturity, inv.date), 0))
                         / SUM(part.amount)
                  FROM account_partial_reconcile part
                  JOIN account_move_line inv ON inv.id = part.debit_move_id
                  JOIN account_move inv_move ON inv_move.id = inv.move_id
                  JOIN account_move_line pay ON pay.id = part.credit_move_id
                  JOIN account_move pay_move ON pay_move.id = pay.move_id
                  LEFT JOIN res_partner partner ON partner.id = inv.partner_id
                 WHERE inv_move.move_type = 'out_invoice'
                   AND inv_move.state = 'posted'
                   AND inv_move.company_id = %(company)s
                   AND inv.display_type = 'payment_term'
                   AND pay_move.state = 'posted'
                   AND (pay_move.origin_payment_id IS NOT NULL OR pay_move.statement_line_id IS NOT NULL)
                   AND pay.date > %(since)s AND pay.date <= %(today)s
                   AND part.amount > 0
                   %(partner_filter)s
                 GROUP BY 1
                """,
                company=company.id,
                since=today - timedelta(days=365),
                today=today,
                partner_filter=partner_filter,
            )
        )
        return {partner_id: float(days) for partner_id, days in self.env.cr.fetchall() if partner_id}

    @api.model
    def _cobranza_promise_kept_ratios(self, company, partner_ids):
        """{partner id: share (0-1) of its decided promises with ``company`` that were kept};
        partners with no promise decided yet are left out (their risk ignores promises)."""
        stats = (
            self.env["cobranza.promise"]
            .sudo()
            ._cobranza_stats(
                "commercial_partner_id",
                [("commercial_partner_id", "in", list(partner_ids)), ("company_id", "=", company.id)],
            )
        )
        return {
            partner_id: figures["kept_ratio"]
            for partner_id, figures in stats.items()
            if figures["kept"] + figures["partial"] + figures["broken"]
        }

    @api.model
    def _cobranza_risk_values(self, company, partner_ids=None):
        """{commercial partner id: (avg days late, overdue ratio, risk segment)} in ``company``,
        for the partners with a balance (the receivable figure) or payments in the last 12 months."""
        today = company._cobranza_today()
        days_late = self._cobranza_avg_days_late(company, today, partner_ids)
        partners = None if partner_ids is None else self.browse(partner_ids)
        figures = {
            partner_id: figure
            for (partner_id, _company_id), figure in self.env["cobranza.receivable"]
            ._cobranza_figures(company, partners)
            .items()
        }
        ids = set(days_late) | {pid for pid, figure in figures.items() if figure.balance > 0}
        kept = self._cobranza_promise_kept_ratios(company, list(ids))
        values = {}
        for partner_id in ids:
            figure = figures.get(partner_id)
            ratio = (
                overdue_ratio(figure.collectible, figure.balance) if figure and figure.balance > 0 else 0.0
            )
            avg = days_late.get(partner_id, 0.0)
            values[partner_id] = (avg, ratio, risk_segment(avg, ratio, kept.get(partner_id)))
        return values

    @api.model
    def _cron_cobranza_refresh_risk(self, batch_size=1000):
        """Daily, company by company: recompute average days late, overdue share and risk segment
        of every customer with a balance or recent payments, and clear them on customers with
        neither. Written by SQL in batches into the company-dependent values; safe to run twice."""
        done = 0
        for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            done += self._cobranza_refresh_risk_company(company, batch_size)
        self.invalidate_model(["cobranza_avg_days_late", "cobranza_overdue_ratio", "cobranza_risk_segment"])
        _logger.info("Collection risk refreshed for %s customer-company pairs", done)
        return done

    @api.model
    def _cobranza_refresh_risk_company(self, company, batch_size):
        values = self._cobranza_risk_values(company)
        key = str(company.id)
        self.flush_model(["cobranza_avg_days_late", "cobranza_overdue_ratio", "cobranza_risk_segment"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE cobranza_risk_segment ? %(key)s "
                "OR COALESCE((cobranza_avg_days_late ->> %(key)s)::float8, 0) != 0",
                key=key,
            )
        )
        stale = {partner_id for (partner_id,) in self.env.cr.fetchall()} - set(values)
        rows = [(pid, *values[pid]) for pid in sorted(values)] + [
            (pid, 0.0, 0.0, None) for pid in sorted(stale)
        ]
        done = 0
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            try:
                with self.env.cr.savepoint():
                    self.env.cr.execute(
                        SQL(
                            """
                            UPDATE res_partner p
                               SET cobranza_avg_days_late = COALESCE(p.cobranza_avg_days_late, '{}'::jsonb)
                                       || jsonb_build_object(%(key)s, v.avg_late),
                                   cobranza_overdue_ratio = COALESCE(p.cobranza_overdue_ratio, '{}'::jsonb)
                                       || jsonb_build_object(%(key)s, v.ratio),
                                   cobranza_risk_segment = CASE
                                       WHEN v.segment IS NULL
                                       THEN COALESCE(p.cobranza_risk_segment, '{}'::jsonb) - %(key)s
                                       ELSE COALESCE(p.cobranza_risk_segment, '{}'::jsonb)
                                            || jsonb_build_object(%(key)s, v.segment) END
                              FROM unnest(%(ids)s::int[], %(avg)s::float8[], %(ratio)s::float8[],
                                          %(segment)s::varchar[]) AS v(id, avg_late, ratio, segment)
                             WHERE p.id = v.id
                            """,
                            key=key,
                            ids=[row[0] for row in batch],
                            avg=[row[1] for row in batch],
                            ratio=[row[2] for row in batch],
                            segment=[row[3] for row in batch],
                        )
                    )
                done += len(batch)
            except Exception:
                _logger.exception(
                    "Collection risk of %s: batch of partners %s failed",
                    company.name,
                    [row[0] for row in batch],
                )
            if not odoo_module.current_test:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    # ---------------------------------------------------------------- guided collection call

    cobranza_wrong_number = fields.Boolean(
        string="Wrong phone number",
        tracking=True,
        help="A collector reached a wrong number on this customer's only phone: record a new one.",
    )
    cobranza_call_ids = fields.One2many(
        comodel_name="cobranza.call", inverse_name="partner_id", string="Calls"
    )

    def write(self, vals):
        # A new phone number clears the wrong-number flag.
        if ("phone" in vals or "mobile" in vals) and "cobranza_wrong_number" not in vals:
            vals = dict(vals, cobranza_wrong_number=False)
        return super().write(vals)

    def _cobranza_phones(self):
        """The distinct phone numbers of this customer and its contacts, as (label, number)."""
        self.ensure_one()
        phones = []
        for contact in self.commercial_partner_id | self.commercial_partner_id.child_ids:
            for number in (contact.phone, contact.mobile):
                if number and number not in [p[1] for p in phones]:
                    phones.append((contact.name or "", number))
        return phones

    def _cobranza_phone_count(self):
        return len(self._cobranza_phones())

    def _cobranza_open_invoices(self, company=None):
        """Posted, unpaid customer invoices of this customer in ``company``, oldest open
        instalment first."""
        self.ensure_one()
        Move = self.env["account.move"]
        return Move.search(
            [
                *Move._cobranza_open_domain(company or self.env.company),
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ],
            order="cobranza_oldest_due_date asc, id asc",
        )

    def _cobranza_figure(self, company=None):
        """This customer's receivable figure in ``company`` (default the current one)."""
        self.ensure_one()
        return self.env["cobranza.receivable"]._cobranza_figure(self, company or self.env.company)

    def _cobranza_script_values(self, moves=None, collector=None, company=None):
        """The placeholder values of a call script for this customer, formatted for reading aloud:
        the totals are the customer's receivable figure in ``company`` (company currency, net of
        unapplied credits), each invoice in its own currency."""
        self.ensure_one()
        partner = self.commercial_partner_id
        company = company or self.env.company
        currency = company.currency_id
        collector = collector or self.env.user
        today = company._cobranza_today()
        figure = partner._cobranza_figure(company)
        moves = moves if moves is not None else partner._cobranza_open_invoices(company)
        moves = moves._cobranza_oldest_first()
        oldest = moves[:1]
        oldest_due = figure.oldest_overdue or figure.oldest_open
        contact = partner.child_ids.filtered(lambda c: c.type in ("invoice", "contact") and c.name)[:1]
        bank = company.partner_id.bank_ids[:1]
        link = ""
        if oldest:
            oldest._cobranza_ensure_access_tokens()
            link = oldest.get_base_url() + oldest.get_portal_url()
        invoices = [
            self.env._(
                "%(document)s: %(residual)s, due %(due)s",
                document=move.cobranza_dte_label or move.name,
                residual=format_amount(self.env, move.amount_residual, move.currency_id),
                due=format_date(self.env, move.cobranza_oldest_due_date or move.invoice_date_due),
            )
            for move in moves[:SCRIPT_INVOICE_ITEMS]
        ]
        rest = moves[SCRIPT_INVOICE_ITEMS:]
        if rest:
            invoices.append(
                self.env._(
                    "and %(count)s more documents for %(amount)s",
                    count=len(rest),
                    amount=format_amount(self.env, sum(rest.mapped("amount_residual_signed")), currency),
                )
            )
        return {
            "customer": partner.name or "",
            "contact": contact.name
            or (partner.name if not partner.is_company else self.env._("the person in charge of payments")),
            "total_due": format_amount(self.env, max(figure.balance, 0.0), currency),
            "total_overdue": format_amount(self.env, figure.collectible, currency),
            "oldest_due_date": format_date(self.env, oldest_due) if oldest_due else "",
            "invoices": invoices,
            "days_overdue": str(figure.days_overdue(today)),
            "payment_link": link,
            "bank_account": " ".join(filter(None, [bank.bank_id.name, bank.acc_number])) if bank else "",
            "collector": collector.name or "",
            "company": company.name or "",
            "greeting": self._cobranza_greeting(company),
        }

    @api.model
    def _cobranza_greeting(self, company):
        """ "Buenos días", "Buenas tardes" or "Buenas noches" at the company's local hour now."""
        greetings = {
            "morning": self.env._("Good morning"),
            "afternoon": self.env._("Good afternoon"),
            "evening": self.env._("Good evening"),
        }
        local = to_local(company._cobranza_now(), company._cobranza_tz())
        return greetings[script_render.greeting_kind(local.hour)]

    def _cobranza_call_context(self, moves=None, company=None):
        """What the call screen shows about this customer: its receivable figure (with a warning
        when unapplied credits exist), open invoices with days overdue, last calls, promises, last
        payments and phones, as a dict for the QWeb template."""
        self.ensure_one()
        partner = self.commercial_partner_id
        company = company or self.env.company
        today = company._cobranza_today()
        moves = moves if moves is not None else partner._cobranza_open_invoices(company)
        payments = self.env["account.payment"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("company_id", "=", company.id),
                ("payment_type", "=", "inbound"),
                ("state", "in", ("in_process", "paid")),
            ],
            order="date desc, id desc",
            limit=5,
        )

        return {
            **moves._cobranza_call_rows(company),
            "table_class": "o_cobranza_open_invoices",
            "partner": partner,
            "currency": company.currency_id,
            "figure": partner._cobranza_figure(company),
            "today": today,
            "calls": self.env["cobranza.call"].search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=5
            ),
            "promises": self.env["cobranza.promise"].search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=5
            ),
            "payments": payments,
            "phones": partner._cobranza_phones(),
            "format_datetime": lambda value: format_datetime(self.env, value, dt_format="short"),
        }

    def action_cobranza_start_call(self):
        """Open the guided call for this customer, on its open collection call if it has one."""
        self.ensure_one()
        return self.env["mail.activity"]._cobranza_open_call_wizard(self.commercial_partner_id)

    cobranza_contact_time = fields.Selection(
        selection=[
            ("morning", "Morning (08:00-13:00)"),
            ("afternoon", "Afternoon (13:00-18:00)"),
            ("evening", "Evening (18:00-20:00)"),
        ],
        string="Preferred contact time",
    )
    cobranza_contact_channel = fields.Selection(
        selection=[("phone", "Phone"), ("whatsapp", "WhatsApp"), ("email", "E-mail"), ("visit", "Visit")],
        string="Preferred channel",
    )
    cobranza_no_phone = fields.Boolean(
        string="No phone",
        compute="_compute_cobranza_no_phone",
        store=True,
        help="Neither phone nor mobile: the customer is still followed up, but cannot be called.",
    )
    cobranza_level_id = fields.Many2one(
        comodel_name="cobranza.level",
        string="Follow-up level",
        company_dependent=True,
        readonly=True,
        help="The highest level reached by the customer's invoices, set by the follow-up run.",
    )
    cobranza_amount_due = fields.Monetary(
        string="Total due",
        compute="_compute_cobranza_summary",
        search="_search_cobranza_amount_due",
        currency_field="cobranza_company_currency_id",
        help="What the customer owes the current company, net of its unapplied payments and credit "
        "notes (the receivable figure, in company currency).",
    )
    cobranza_amount_overdue = fields.Monetary(
        string="Overdue",
        compute="_compute_cobranza_summary",
        search="_search_cobranza_amount_overdue",
        currency_field="cobranza_company_currency_id",
        help="Instalments past their due date (before unapplied credits), as in the aging.",
    )
    cobranza_amount_credit = fields.Monetary(
        string="Unapplied credits",
        compute="_compute_cobranza_summary",
        currency_field="cobranza_company_currency_id",
        help="Payments and credit notes not yet matched with an invoice (negative): apply them "
        "before asking the customer to pay.",
    )
    cobranza_amount_collectible = fields.Monetary(
        string="Overdue net of credits",
        compute="_compute_cobranza_summary",
        currency_field="cobranza_company_currency_id",
        help="What may be asked for now: the overdue instalments less the unapplied credits.",
    )
    cobranza_company_currency_id = fields.Many2one(
        comodel_name="res.currency", compute="_compute_cobranza_summary", string="Company currency"
    )
    cobranza_oldest_overdue_date = fields.Date(string="Oldest overdue", compute="_compute_cobranza_summary")
    cobranza_contact_ids = fields.One2many(
        comodel_name="cobranza.contact", inverse_name="partner_id", string="Collection contacts"
    )

    @api.depends("phone", "mobile")
    def _compute_cobranza_no_phone(self):
        for partner in self:
            partner.cobranza_no_phone = not (partner.phone or partner.mobile)

    @api.depends_context("company")
    def _compute_cobranza_summary(self):
        """The receivable figure of each customer (its commercial entity) in the current company."""
        company = self.env.company
        figures = self.env["cobranza.receivable"]._cobranza_figures(company, self.commercial_partner_id)
        for partner in self:
            figure = figures.get((partner.commercial_partner_id.id, company.id))
            partner.cobranza_company_currency_id = company.currency_id
            partner.cobranza_amount_due = figure.balance if figure else 0.0
            partner.cobranza_amount_overdue = figure.overdue if figure else 0.0
            partner.cobranza_amount_credit = figure.credit if figure else 0.0
            partner.cobranza_amount_collectible = figure.collectible if figure else 0.0
            partner.cobranza_oldest_overdue_date = figure.oldest_overdue if figure else False

    def _search_cobranza_amount_overdue(self, operator, value):
        return self._cobranza_search_figure("cobranza_amount_overdue", "overdue", operator, value)

    def _search_cobranza_amount_due(self, operator, value):
        return self._cobranza_search_figure("cobranza_amount_due", "balance", operator, value)

    def _cobranza_search_figure(self, field_name, attribute, operator, value):
        """Customers whose receivable figure's ``attribute`` in the current company compares with
        ``value`` by ``operator`` (one of validation.SEARCH_OPERATORS); the value a number or a
        numeric string (False/None count as 0). Customers without a figure have 0."""
        operator, value = cobranza_search_numbers(self, field_name, operator, value)
        matches = validation.number_predicate(operator, value)
        figures = self.env["cobranza.receivable"]._cobranza_figures(self.env.company)
        amounts = {
            partner_id: getattr(figure, attribute) for (partner_id, _company), figure in figures.items()
        }
        matching = [partner_id for partner_id, amount in amounts.items() if matches(amount)]
        if matches(0.0):
            return [
                "|",
                ("id", "in", matching),
                ("id", "not in", [partner_id for partner_id, amount in amounts.items() if amount]),
            ]
        return [("id", "in", matching)]

    # Contact guardrails ----------------------------------------------------------------------

    @api.model
    def _cobranza_guardrail_data(self, company, partners, now):
        """Everything the guardrails need for ``partners`` in ``company``, read in a few queries:
        the rules per debtor type, the holidays and each debtor's recent contacts (local time)."""
        tz = company._cobranza_tz()
        rules = {
            rule.debtor_type: rule._to_rules()
            for rule in self.env["cobranza.guardrail"].sudo().search([("company_id", "=", company.id)])
        }
        # The window the guardrails look at spans two years at most from now (local).
        year = to_local(now, tz).year
        holidays = self.env["cobranza.holiday"]._cobranza_days_off(company, range(year, year + 3))
        history = {}
        contacts = (
            self.env["cobranza.contact"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.commercial_partner_id.ids),
                    ("company_id", "=", company.id),
                    ("date", ">=", now - timedelta(days=14)),
                    ("direction", "=", "outbound"),
                    *self._cobranza_uncounted_contacts_domain(company),
                ],
                ["partner_id", "channel", "date"],
            )
        )
        for contact in contacts:
            kind = guardrails.CHANNEL_KIND[contact.channel]
            history.setdefault((contact.partner_id.id, kind), []).append(to_local(contact.date, tz))
        return {"tz": tz, "rules": rules, "holidays": holidays, "history": history}

    @api.model
    def _cobranza_uncounted_contacts_domain(self, company):
        """Calls that reached nobody count toward the weekly limit unless the company says not."""
        if company.cobranza_count_unanswered_calls:
            return []
        return ["|", ("reached", "=", True), ("channel", "not in", ("call", "visit"))]

    def _cobranza_decide(self, data, channel, when, authorized=False):
        """Guardrail decision for contacting this debtor through ``channel`` at ``when`` (UTC), from
        the data of ``_cobranza_guardrail_data`` (see ``cobranza.contact.gate._cobranza_decide``)."""
        self.ensure_one()
        data.setdefault("company", self.env.company)
        return self.env["cobranza.contact.gate"]._cobranza_decide(data, self, channel, when, authorized)

    @api.model
    def _cobranza_guardrail_reason_label(self, code):
        labels = {
            "weekday": self.env._("contacts are not allowed on this day of the week"),
            "holiday": self.env._("public holiday"),
            "hours": self.env._("outside the allowed contact hours"),
            "calls_week": self.env._("weekly limit of calls or visits reached"),
            "messages_week": self.env._("weekly limit of messages reached"),
            "messages_gap": self.env._("too soon after the previous message"),
        }
        return labels.get(code, "")

    def _cobranza_contact_check(self, channel, when=None, company=None):
        """May this debtor be contacted through ``channel`` (call, visit, email, sms, whatsapp,
        letter) at ``when`` (UTC, default now) by ``company`` (default the current one)?
        Returns dict(allowed=bool, reason=str, next_allowed=UTC datetime)."""
        self.ensure_one()
        decision = self.env["cobranza.contact.gate"]._cobranza_check(self, channel, company, when)[
            self.commercial_partner_id.id
        ]
        return {key: decision[key] for key in ("allowed", "reason", "next_allowed")}

    def _cobranza_log_contact(self, channel, when=None, company=None, user=None, origin=None, note=None):
        """Ask the contact gate for a contact with each debtor of ``self`` and log it (kept at
        least two years); raises UserError when the guardrails forbid it."""
        gate = self.env["cobranza.contact.gate"]
        contacts = self.env["cobranza.contact"]
        for partner in self:
            contacts |= gate._cobranza_pass(
                partner, channel, company=company, when=when, user=user, origin=origin, note=note
            )
        return contacts

    def action_cobranza_process(self):
        """Run the follow-up now for these customers only (in the current companies)."""
        return self.env["cobranza.followup.run"]._cobranza_run_manual(partners=self.commercial_partner_id)


# Kept apart from the class above so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class ResPartnerDiscount(models.Model):
    _inherit = "res.partner"

    def _cobranza_script_values(self, moves=None, collector=None, company=None):
        """``{discount_offer}``: the discounts the customer's invoices can get today."""
        values = super()._cobranza_script_values(moves=moves, collector=collector, company=company)
        company = company or self.env.company
        if moves is None:
            moves = self.commercial_partner_id._cobranza_open_invoices(company)
        values["discount_offer"] = self.env["cobranza.discount.offer"]._cobranza_quote_texts(moves)
        return values
