from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services import kpi


class CobranzaDashboard(models.TransientModel):
    """Tablero de cobranza: the owner's figures for one company on one day, computed when
    opened (nothing stored but the company and the day)."""

    _name = "cobranza.dashboard"
    _description = "Collection dashboard"
    _check_company_auto = True

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, default=lambda self: self.env.company._cobranza_today())
    total_receivable = fields.Monetary(string="Total receivable", compute="_compute_kpis")
    total_overdue = fields.Monetary(string="Overdue", compute="_compute_kpis")
    overdue_percent = fields.Float(string="Overdue %", digits=(16, 1), compute="_compute_kpis")
    credit_sales_90 = fields.Monetary(string="Credit sales (90 days)", compute="_compute_kpis")
    dso = fields.Float(
        string="DSO (days)",
        digits=(16, 1),
        compute="_compute_kpis",
        help="Days Sales Outstanding over 90 days: receivable / credit sales of the last 90 days x 90.",
    )
    cei = fields.Float(
        string="Collection effectiveness (%)",
        digits=(16, 1),
        compute="_compute_kpis",
        help="Collection Effectiveness Index of the month so far: (opening receivable + sales - "
        "closing receivable) / (opening receivable + sales - closing not yet due) x 100.",
    )
    opening_receivable = fields.Monetary(
        string="Receivable at the start of the month", compute="_compute_kpis"
    )
    month_sales = fields.Monetary(string="Credit sales this month", compute="_compute_kpis")
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

    @api.model
    def _credit_sales(self, company, date_from, date_to):
        """Net credit sales (invoices less credit notes) of ``company`` dated in (date_from, date_to]."""
        self.env["account.move.line"].flush_model()
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
                   AND aml.date > %(date_from)s AND aml.date <= %(date_to)s
                """,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
            )
        )
        return float(self.env.cr.fetchone()[0])

    @api.model
    def _aging_totals(self, company, as_of):
        """(receivable, overdue, not yet due) of ``company`` open on ``as_of``."""
        report = self.env["cobranza.aging.report"]
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

    @api.depends("company_id", "date")
    def _compute_kpis(self):
        for board in self:
            company, today = board.company_id, board.date
            if not company or not today:
                board.update(dict.fromkeys(self._kpi_fields(), 0.0))
                continue
            receivable, overdue, not_due = self._aging_totals(company, today)
            month_start = today.replace(day=1)
            opening = self._aging_totals(company, month_start - timedelta(days=1))[0]
            month_sales = self._credit_sales(company, month_start - timedelta(days=1), today)
            sales_90 = self._credit_sales(company, today - timedelta(days=90), today)
            dso = kpi.dso(receivable, sales_90, 90)
            cei = kpi.cei(opening, month_sales, receivable, not_due)
            board.update(
                {
                    "total_receivable": receivable,
                    "total_overdue": overdue,
                    "overdue_percent": kpi.overdue_ratio(overdue, receivable) * 100.0,
                    "credit_sales_90": sales_90,
                    "dso": dso or 0.0,
                    "cei": cei or 0.0,
                    "opening_receivable": opening,
                    "month_sales": month_sales,
                }
            )

    @api.model
    def _collected_after_call(self, company, date_from, date_to):
        """Payments (not credit notes) dated in (date_from, date_to] reconciled with invoices of
        customers whose debtor was reached by a call in the 7 days up to the payment."""
        self.env["account.partial.reconcile"].flush_model()
        self.env["cobranza.call"].flush_model()
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
                          AND call.date_start::date <= pay.date
                          AND call.date_start::date >= pay.date - 7
                   )
                """,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
            )
        )
        return float(self.env.cr.fetchone()[0])

    @api.depends("company_id", "date")
    def _compute_activity_kpis(self):
        """Promises and calls of the company: what collectors did, beside what is owed."""
        Call = self.env["cobranza.call"]
        for board in self:
            company, today = board.company_id, board.date
            if not company or not today:
                board.update(dict.fromkeys(self._kpi_fields("_compute_activity_kpis"), 0.0))
                continue
            stats = self.env["cobranza.promise"]._cobranza_stats(
                "company_id", [("company_id", "=", company.id)]
            )
            figures = stats.get(company.id, {})
            week_start = today - timedelta(days=today.weekday())
            tomorrow = today + timedelta(days=1)
            month_ago = today - timedelta(days=30)
            counts = {
                key: Call.search_count(
                    [
                        ("company_id", "=", company.id),
                        ("date_start", ">=", since),
                        ("date_start", "<", tomorrow),
                    ]
                    + extra
                )
                for key, since, extra in (
                    ("today", today, []),
                    ("week", week_start, []),
                    ("month", month_ago, []),
                    ("reached", month_ago, [("contact_result", "=", "debtor")]),
                )
            }
            board.update(
                {
                    "promises_open_count": figures.get("open", 0),
                    "promise_kept_ratio": figures.get("kept_ratio", 0.0) * 100.0,
                    "calls_today": counts["today"],
                    "calls_week": counts["week"],
                    "contact_rate": counts["reached"] / counts["month"] * 100.0 if counts["month"] else 0.0,
                    "amount_collected_after_call": self._collected_after_call(company, month_ago, today),
                }
            )

    def action_open_calls_per_collector(self):
        """This week's calls by collector and contact result."""
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranza_telefonica.action_cobranza_call")
        week_start = self.date - timedelta(days=self.date.weekday())
        action.update(
            {
                "name": self.env._("Calls per collector this week"),
                "view_mode": "pivot,graph,list",
                "views": [(False, "pivot"), (False, "graph"), (False, "list")],
                "domain": [("company_id", "=", self.company_id.id), ("date_start", ">=", week_start)],
                "context": {"pivot_row_groupby": ["user_id"], "pivot_column_groupby": ["contact_result"]},
            }
        )
        return action

    @api.model
    def _kpi_fields(self, compute="_compute_kpis"):
        return [name for name, field in self._fields.items() if field.compute == compute]

    @api.model
    def action_open_dashboard(self):
        """Open the dashboard of the current company for today."""
        board = self.create({})
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
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranza_telefonica.action_cobranza_aging_snapshot"
        )
        action["domain"] = [("company_id", "=", self.company_id.id)]
        return action
