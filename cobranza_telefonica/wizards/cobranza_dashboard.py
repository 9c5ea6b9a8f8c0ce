from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..models.res_partner import to_utc
from ..services import kpi

DSO_MONTHS = 3  # DSO is measured over the last three complete months
ACTIVITY_DAYS = 30  # contact rate and collected after a call: the last 30 local days


class CobranzaDashboard(models.TransientModel):
    """Tablero de cobranza: the owner's figures for one company (the one selected in the company
    switcher) on one of its local days, computed when opened (nothing stored but the company and
    the day). Amounts are in the company's currency: nothing here adds two currencies."""

    _name = "cobranza.dashboard"
    _description = "Collection dashboard"
    _check_company_auto = True

    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        required=True,
        default=lambda self: self.env.company._cobranza_today(),
        help="A day of the company's calendar. Today: the figures of the receivables aging as it "
        "stands; an earlier day: what was open that day (payments and reconciliations dated up to it).",
    )
    total_receivable = fields.Monetary(
        string="Total receivable",
        compute="_compute_kpis",
        help="Today: the total of the receivables aging (Cobranza > Reporting > Receivables aging) "
        "for this company, in its currency.",
    )
    total_overdue = fields.Monetary(string="Overdue", compute="_compute_kpis")
    overdue_percent = fields.Float(string="Overdue %", digits=(16, 1), compute="_compute_kpis")
    # Collection Effectiveness Index of the last complete month and of the month to date.
    last_month_start = fields.Date(string="Last month", compute="_compute_kpis")
    last_month_end = fields.Date(string="Last month ends", compute="_compute_kpis")
    cei_last_month = fields.Float(
        string="CEI, last month (%)",
        digits=(16, 1),
        compute="_compute_kpis",
        help="Collection Effectiveness Index of the last complete month: (opening receivable + credit "
        "sales - closing receivable) / (opening receivable + credit sales - closing not yet due) x 100.",
    )
    last_month_opening = fields.Monetary(
        string="Receivable at the start of last month", compute="_compute_kpis"
    )
    last_month_sales = fields.Monetary(string="Credit sales last month", compute="_compute_kpis")
    last_month_closing = fields.Monetary(
        string="Receivable at the end of last month", compute="_compute_kpis"
    )
    month_start = fields.Date(string="Month to date", compute="_compute_kpis")
    cei = fields.Float(
        string="CEI, month to date (%)",
        digits=(16, 1),
        compute="_compute_kpis",
        help="Collection Effectiveness Index from the first of this month to the dashboard's day (an "
        "incomplete month: compare it with last month's with care).",
    )
    opening_receivable = fields.Monetary(
        string="Receivable at the start of the month", compute="_compute_kpis"
    )
    month_sales = fields.Monetary(string="Credit sales, month to date", compute="_compute_kpis")
    # Days Sales Outstanding over the last complete months.
    dso_date_from = fields.Date(string="DSO window", compute="_compute_kpis")
    dso_date_to = fields.Date(string="DSO window ends", compute="_compute_kpis")
    dso_days = fields.Integer(string="Days in the DSO window", compute="_compute_kpis")
    dso = fields.Float(
        string="DSO (days)",
        digits=(16, 1),
        compute="_compute_kpis",
        help="Days Sales Outstanding over the last three complete months: receivable at the end of "
        "the window / credit sales of the window x days in the window.",
    )
    dso_receivable = fields.Monetary(string="Receivable at the end of the window", compute="_compute_kpis")
    dso_credit_sales = fields.Monetary(string="Credit sales in the window", compute="_compute_kpis")
    promises_open_count = fields.Integer(string="Open promises", compute="_compute_activity_kpis")
    promise_kept_ratio = fields.Float(
        string="Promises kept (%)",
        digits=(16, 1),
        compute="_compute_activity_kpis",
        help="Kept promises over the promises already decided (kept, partially kept or broken).",
    )
    calls_today = fields.Integer(string="Calls today", compute="_compute_activity_kpis")
    calls_week = fields.Integer(string="Calls this week", compute="_compute_activity_kpis")
    contact_rate = fields.Float(
        string="Contact rate (%)",
        digits=(16, 1),
        compute="_compute_activity_kpis",
        help="Calls of the last 30 days that reached the debtor, over all calls of those days.",
    )
    amount_collected_after_call = fields.Monetary(
        string="Collected within 7 days after a call",
        compute="_compute_activity_kpis",
        help="Payments of the last 30 days on invoices of customers reached by phone in the 7 days "
        "before the payment.",
    )

    @api.constrains("date", "company_id")
    def _check_date(self):
        for board in self:
            today = board.company_id._cobranza_today()
            if board.date > today:
                raise ValidationError(
                    self.env._(
                        "The dashboard's day %(date)s is after today (%(today)s): it shows what is or "
                        "was owed, not what will be.",
                        date=board.date,
                        today=today,
                    )
                )

    # ------------------------------------------------------------------ receivable figures

    @api.model
    def _credit_sales(self, company, date_from, date_to=None):
        """Net credit sales (invoices less credit notes) of ``company`` in its currency, dated after
        ``date_from`` and up to ``date_to`` (None: no end, for a period that ends today and so
        counts every posted document, as the aging does)."""
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model(["state", "move_type"])
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(aml.balance), 0)
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE aml.company_id = %(company)s
                   AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND aml.display_type = 'payment_term'
                   AND aml.date > %(date_from)s
                   %(until)s
                """,
                company=company.id,
                date_from=date_from,
                until=SQL("AND aml.date <= %s", date_to) if date_to else SQL(),
            )
        )
        return float(self.env.cr.fetchone()[0])

    @api.model
    def _aging_totals(self, company, as_of):
        """(receivable, overdue, not yet due) of ``company`` in its currency open on ``as_of``,
        from the as-of engine (cobranza.aging.fields._as_of_aging_sql)."""
        report = self.env["cobranza.aging.report"]
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(residual), 0), COALESCE(SUM(amount_overdue), 0),
                       COALESCE(SUM(amount_not_due), 0)
                  FROM (%s) aging
                """,
                report._as_of_aging_sql(as_of, company.ids),
            )
        )
        return tuple(float(value) for value in self.env.cr.fetchone())

    @api.model
    def _live_totals(self, company):
        """(receivable, overdue, not yet due) of ``company`` in its currency today: the totals of
        the receivables aging view itself, so the dashboard and the aging show one figure."""
        [totals] = self.env["cobranza.aging.report"]._read_group(
            [("company_id", "=", company.id)],
            aggregates=["residual:sum", "amount_overdue:sum", "amount_not_due:sum"],
        )
        return tuple(float(value or 0.0) for value in totals)

    @api.model
    def _receivable_totals(self, company, day):
        """(receivable, overdue, not yet due) of ``company`` on its local ``day``: the live aging
        for today, the as-of engine for an earlier day."""
        if day >= company._cobranza_today():
            return self._live_totals(company)
        return self._aging_totals(company, day)

    @api.model
    def _kpi_values(self, company, day):
        """Every receivable figure of the dashboard of ``company`` on ``day``, as field values."""
        live = day >= company._cobranza_today()
        receivable, overdue, not_due = self._receivable_totals(company, day)

        # Month to date: from the close of last month to the day (to the aging as it stands today).
        first = kpi.month_start(day)
        last_month_first, last_month_last = kpi.previous_month(day)
        opening = self._aging_totals(company, last_month_last)
        sales_mtd = self._credit_sales(company, last_month_last, None if live else day)

        # Last complete month.
        before_last = self._aging_totals(company, last_month_first - timedelta(days=1))
        sales_last = self._credit_sales(company, last_month_first - timedelta(days=1), last_month_last)

        # DSO over the last complete months: they end with last month, on the opening receivable.
        dso_from, dso_to, dso_days = kpi.complete_months(day, DSO_MONTHS)
        dso_receivable = opening[0]
        dso_sales = self._credit_sales(company, dso_from - timedelta(days=1), dso_to)
        return {
            "total_receivable": receivable,
            "total_overdue": overdue,
            "overdue_percent": kpi.overdue_ratio(overdue, receivable) * 100.0,
            "last_month_start": last_month_first,
            "last_month_end": last_month_last,
            "last_month_opening": before_last[0],
            "last_month_sales": sales_last,
            "last_month_closing": opening[0],
            "cei_last_month": kpi.cei(before_last[0], sales_last, opening[0], opening[2]) or 0.0,
            "month_start": first,
            "opening_receivable": opening[0],
            "month_sales": sales_mtd,
            "cei": kpi.cei(opening[0], sales_mtd, receivable, not_due) or 0.0,
            "dso_date_from": dso_from,
            "dso_date_to": dso_to,
            "dso_days": dso_days,
            "dso_receivable": dso_receivable,
            "dso_credit_sales": dso_sales,
            "dso": kpi.dso(dso_receivable, dso_sales, dso_days) or 0.0,
        }

    @api.depends("company_id", "date")
    def _compute_kpis(self):
        for board in self:
            if not board.company_id or not board.date:
                board.update(self._empty_values())
                continue
            board.update(self._kpi_values(board.company_id, board.date))

    # ------------------------------------------------------------------ what collectors did

    @api.model
    def _utc_start(self, company, day):
        """The UTC moment (naive) ``company``'s local ``day`` begins: calls are stored in UTC and
        counted by the company's days."""
        return to_utc(datetime.combine(day, time.min), company._cobranza_tz())

    @api.model
    def _collected_after_call(self, company, date_from, date_to, user=None):
        """Payments (not credit notes) dated in (date_from, date_to] reconciled with invoices of
        customers whose debtor was reached by a call in the 7 local days up to the payment (by
        ``user`` only, when given: the collectors compared)."""
        self.env["account.partial.reconcile"].flush_model()
        self.env["cobranza.call"].flush_model()
        call_day = SQL(
            "(call.date_start AT TIME ZONE 'UTC' AT TIME ZONE %s)::date", company._cobranza_tz().zone
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(part.amount), 0)
                  FROM account_partial_reconcile part
                  JOIN account_move_line inv ON inv.id = part.debit_move_id
                  JOIN account_move inv_move ON inv_move.id = inv.move_id
                  JOIN account_move_line pay ON pay.id = part.credit_move_id
                  JOIN account_move pay_move ON pay_move.id = pay.move_id
                 WHERE inv_move.move_type = 'out_invoice'
                   AND inv_move.state = 'posted'
                   AND inv_move.company_id = %(company)s
                   AND (pay_move.origin_payment_id IS NOT NULL OR pay_move.statement_line_id IS NOT NULL)
                   AND pay.date > %(date_from)s AND pay.date <= %(date_to)s
                   AND EXISTS (
                       SELECT 1 FROM cobranza_call call
                        WHERE call.company_id = %(company)s
                          AND call.contact_result = 'debtor'
                          AND call.partner_id = inv_move.commercial_partner_id
                          AND %(call_day)s <= pay.date
                          AND %(call_day)s >= pay.date - 7
                          %(by_user)s
                   )
                """,
                company=company.id,
                by_user=SQL("AND call.user_id = %s", user.id) if user else SQL(),
                date_from=date_from,
                date_to=date_to,
                call_day=call_day,
            )
        )
        return float(self.env.cr.fetchone()[0])

    @api.model
    def _activity_values(self, company, day):
        """Promises and calls of ``company``, calls counted by its local days up to ``day``."""
        Call = self.env["cobranza.call"]
        stats = self.env["cobranza.promise"]._cobranza_stats("company_id", [("company_id", "=", company.id)])
        figures = stats.get(company.id, {})
        end = self._utc_start(company, day + timedelta(days=1))
        since = {
            "today": self._utc_start(company, day),
            "week": self._utc_start(company, day - timedelta(days=day.weekday())),
            "month": self._utc_start(company, day - timedelta(days=ACTIVITY_DAYS - 1)),
        }
        counts = {
            key: Call.search_count(
                [("company_id", "=", company.id), ("date_start", ">=", start), ("date_start", "<", end)]
                + extra
            )
            for key, start, extra in (
                ("today", since["today"], []),
                ("week", since["week"], []),
                ("month", since["month"], []),
                ("reached", since["month"], [("contact_result", "=", "debtor")]),
            )
        }
        return {
            "promises_open_count": figures.get("open", 0),
            "promise_kept_ratio": figures.get("kept_ratio", 0.0) * 100.0,
            "calls_today": counts["today"],
            "calls_week": counts["week"],
            "contact_rate": counts["reached"] / counts["month"] * 100.0 if counts["month"] else 0.0,
            "amount_collected_after_call": self._collected_after_call(
                company, day - timedelta(days=ACTIVITY_DAYS), day
            ),
        }

    @api.depends("company_id", "date")
    def _compute_activity_kpis(self):
        """Promises and calls of the company: what collectors did, beside what is owed."""
        for board in self:
            if not board.company_id or not board.date:
                board.update(self._empty_values("_compute_activity_kpis"))
                continue
            board.update(self._activity_values(board.company_id, board.date))

    @api.model
    def _empty_values(self, compute="_compute_kpis"):
        return {
            name: False if field.type == "date" else 0
            for name, field in self._fields.items()
            if field.compute == compute
        }

    # ------------------------------------------------------------------ buttons

    def action_open_calls_per_collector(self):
        """This week's calls (the company's local week up to the dashboard's day) by collector and
        contact result."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranza_telefonica.action_cobranza_call")
        week_start = self.date - timedelta(days=self.date.weekday())
        action.update(
            {
                "name": self.env._("Calls per collector this week"),
                "view_mode": "pivot,graph,list",
                "views": [(False, "pivot"), (False, "graph"), (False, "list")],
                "domain": [
                    ("company_id", "=", self.company_id.id),
                    ("date_start", ">=", self._utc_start(self.company_id, week_start)),
                    ("date_start", "<", self._utc_start(self.company_id, self.date + timedelta(days=1))),
                ],
                "context": {"pivot_row_groupby": ["user_id"], "pivot_column_groupby": ["contact_result"]},
            }
        )
        return action

    @api.model
    def action_open_dashboard(self):
        """Open the dashboard of the company selected in the switcher, for its today."""
        board = self.create({"company_id": self.env.company.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Collection dashboard"),
            "res_model": self._name,
            "res_id": board.id,
            "view_mode": "form",
            "views": [(self.env.ref("cobranza_telefonica.cobranza_dashboard_view_form").id, "form")],
            "target": "current",
        }

    def action_open_aging(self):
        """The receivables aging of the dashboard's company: the lines its total adds up."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranza_telefonica.action_cobranza_aging_report"
        )
        action["domain"] = [("company_id", "=", self.company_id.id)]
        return action

    def action_open_overdue(self):
        action = self.action_open_aging()
        action["context"] = {"search_default_overdue": 1, "search_default_group_collector": 1}
        action["view_mode"] = "graph,pivot,list"
        action["views"] = [(False, "graph"), (False, "pivot"), (False, "list")]
        return action

    def action_open_trend(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranza_telefonica.action_cobranza_aging_snapshot"
        )
        action["domain"] = [("company_id", "=", self.company_id.id)]
        return action

    def action_download_aging_xlsx(self):
        """The aging by customer of the dashboard's company as an Excel workbook."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/cobranza/aging/by-customer.xlsx?cids={self.company_id.id}",
            "target": "download",
        }
