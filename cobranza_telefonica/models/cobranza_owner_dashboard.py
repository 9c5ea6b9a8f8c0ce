from datetime import timedelta

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools.misc import format_date, formatLang

from ..services import kpi
from ..services.aging import BUCKET_KEYS
from ..wizards.cobranza_dashboard import ACTIVITY_DAYS, DSO_MONTHS

TREND_POINTS = 12  # month ends on the overdue, DSO and CEI charts
PROMISE_ROWS = 10  # promises due this week listed on the dashboard


class CobranzaOwnerDashboard(models.AbstractModel):
    """The owner's dashboard with pictures (client action ``cobranza_owner_dashboard``): one
    JSON-RPC call returns every figure of the current company on its local today, each read from
    the module's own computations (the aging view, the as-of engine through the month-end
    snapshots, the dashboard's KPIs, the promise statistics), with the action that opens its
    records. Nothing is stored."""

    _name = "cobranza.owner.dashboard"
    _description = "Collection dashboard (charts)"

    @api.model
    def get_dashboard_data(self):
        """Every figure of the dashboard of ``self.env.company`` (the switcher's company) for its
        local today, with the drill-down actions (domains computed here). Managers only."""
        if not self.env.user.has_group("cobranza_telefonica.group_cobranza_manager"):
            raise AccessError(self.env._("Only collection managers may open the collection dashboard."))
        company = self.env.company
        today = company._cobranza_today()
        board = self.env["cobranza.dashboard"]
        kpis = board._kpi_values(company, today)
        activity = board._activity_values(company, today)
        promises = self._promise_values(company, today)
        return {
            "company": {"id": company.id, "name": company.name},
            "currency_id": company.currency_id.id,
            "today": today.isoformat(),
            "today_label": format_date(self.env, today),
            "kpis": self._kpi_cards(company, kpis, activity, promises),
            "buckets": self._bucket_values(company),
            "trend": self._trend_values(company, today),
            "collectors": self._collector_values(company, today),
            "promises": promises,
            "links": {
                "details": self.env["ir.actions.actions"]._for_xml_id(
                    "cobranza_telefonica.action_cobranza_dashboard"
                ),
                "xlsx": {
                    "type": "ir.actions.act_url",
                    "url": f"/cobranza/aging/by-customer.xlsx?cids={company.id}",
                    "target": "download",
                },
            },
        }

    # ------------------------------------------------------------------ figures

    @api.model
    def _kpi_cards(self, company, kpis, activity, promises):
        """The cards: the dashboard's own KPI values (cobranza.dashboard._kpi_values)."""
        overdue_action = self._aging_action(
            company, [("amount_overdue", "!=", 0)], self.env._("Overdue receivables")
        )
        dso_from, dso_to = kpis["dso_date_from"], kpis["dso_date_to"]
        return [
            {
                "key": "total_receivable",
                "label": self.env._("Total receivable"),
                "value": kpis["total_receivable"],
                "kind": "monetary",
                "action": self._aging_action(company, [], self.env._("Receivables aging")),
            },
            {
                "key": "total_overdue",
                "label": self.env._("Overdue"),
                "value": kpis["total_overdue"],
                "kind": "monetary",
                "action": overdue_action,
            },
            {
                "key": "overdue_percent",
                "label": self.env._("Overdue share"),
                "value": kpis["overdue_percent"],
                "kind": "percent",
                "action": overdue_action,
            },
            {
                "key": "dso",
                "label": self.env._("DSO (days)"),
                "value": kpis["dso"],
                "kind": "float",
                "help": self.env._(
                    "%(date_from)s to %(date_to)s",
                    date_from=format_date(self.env, dso_from),
                    date_to=format_date(self.env, dso_to),
                ),
                "action": self._sales_action(
                    company, dso_from, dso_to, self.env._("Credit sales of the DSO window")
                ),
            },
            {
                "key": "cei_last_month",
                "label": self.env._("CEI, last month"),
                "value": kpis["cei_last_month"],
                "kind": "percent",
                "action": self._sales_action(
                    company,
                    kpis["last_month_start"],
                    kpis["last_month_end"],
                    self.env._("Credit sales of last month"),
                ),
            },
            {
                "key": "promises_week",
                "label": self.env._("Promises due this week"),
                "value": promises["count"],
                "kind": "integer",
                "help": self.env._(
                    "Kept: %(ratio)s%%", ratio=formatLang(self.env, activity["promise_kept_ratio"], digits=1)
                ),
                "action": promises["action"],
            },
        ]

    @api.model
    def _bucket_values(self, company):
        """The aging view's residual by bucket, in the buckets' order, each with the aging lines
        it adds up."""
        report = self.env["cobranza.aging.report"]
        labels = dict(report._fields["bucket"]._description_selection(self.env))
        sums = {
            bucket: (amount, count)
            for bucket, amount, count in report._read_group(
                [("company_id", "=", company.id)], ["bucket"], ["residual:sum", "__count"]
            )
        }
        return [
            {
                "key": key,
                "label": labels[key],
                "amount": sums.get(key, (0.0, 0))[0] or 0.0,
                "count": sums.get(key, (0.0, 0))[1],
                "action": self._aging_action(
                    company,
                    [("bucket", "=", key)],
                    self.env._("Receivables aging: %(bucket)s", bucket=labels[key]),
                ),
            }
            for key in BUCKET_KEYS
        ]

    @api.model
    def _trend_values(self, company, today):
        """The last month-end snapshots (at most 12, oldest first: fewer when fewer exist) with
        overdue, and DSO and CEI measured on them: DSO on the snapshot's receivable over the
        credit sales of the three months ending that day, CEI between two consecutive month ends."""
        board = self.env["cobranza.dashboard"]
        snapshots = self.env["cobranza.aging.snapshot"].search(
            [("company_id", "=", company.id), ("date", "<", today)], order="date desc", limit=TREND_POINTS + 1
        )
        snapshots = snapshots.sorted("date")
        points = []
        for index, snapshot in enumerate(snapshots):
            previous = snapshots[index - 1] if index else None
            if index == 0 and len(snapshots) > TREND_POINTS:
                continue  # only the opening of the first month's CEI
            dso_from, dso_to, dso_days = kpi.complete_months(snapshot.date + timedelta(days=1), DSO_MONTHS)
            dso_sales = board._credit_sales(company, dso_from - timedelta(days=1), dso_to)
            cei = None
            if previous and previous.date == kpi.previous_month(snapshot.date)[1]:
                sales = board._credit_sales(company, previous.date, snapshot.date)
                cei = kpi.cei(previous.residual, sales, snapshot.residual, snapshot.amount_not_due)
            points.append(
                {
                    "date": snapshot.date.isoformat(),
                    "label": format_date(self.env, snapshot.date, date_format="MMM y"),
                    "residual": snapshot.residual,
                    "overdue": snapshot.amount_overdue,
                    "overdue_percent": snapshot.overdue_percent,
                    "dso": kpi.dso(snapshot.residual, dso_sales, dso_days),
                    "cei": cei,
                }
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranza_telefonica.action_cobranza_aging_snapshot"
        )
        action["domain"] = [("company_id", "=", company.id)]
        return {"points": points, "action": action}

    @api.model
    def _collector_values(self, company, today):
        """Collectors compared over the dashboard's activity window (the last 30 local days, as
        cobranza.dashboard._activity_values counts them):
        calls, contact rate, promises kept (the promise statistics) and collected after a call."""
        board = self.env["cobranza.dashboard"]
        start = board._utc_start(company, today - timedelta(days=ACTIVITY_DAYS - 1))
        end = board._utc_start(company, today + timedelta(days=1))
        window = [("company_id", "=", company.id), ("date_start", ">=", start), ("date_start", "<", end)]
        calls = {}
        for user, result, count in self.env["cobranza.call"]._read_group(
            window, ["user_id", "contact_result"], ["__count"]
        ):
            figures = calls.setdefault(user, {"calls": 0, "reached": 0})
            figures["calls"] += count
            if result == "debtor":
                figures["reached"] += count
        promises = self.env["cobranza.promise"]._cobranza_stats("user_id", [("company_id", "=", company.id)])
        rows = []
        for user in sorted(calls, key=lambda user: user.name or ""):
            figures = calls[user]
            action = self.env["ir.actions.act_window"]._for_xml_id("cobranza_telefonica.action_cobranza_call")
            action.update(
                {
                    "name": self.env._("Calls of %(collector)s", collector=user.name),
                    "display_name": self.env._("Calls of %(collector)s", collector=user.name),
                    "domain": [*window, ("user_id", "=", user.id)],
                    "view_mode": "list,form",
                    "views": [(False, "list"), (False, "form")],
                    "context": {},
                }
            )
            rows.append(
                {
                    "user_id": user.id,
                    "name": user.name,
                    "calls": figures["calls"],
                    "contact_rate": figures["reached"] / figures["calls"] * 100.0,
                    "promise_kept_ratio": promises.get(user.id, {}).get("kept_ratio", 0.0) * 100.0,
                    "collected": board._collected_after_call(
                        company, today - timedelta(days=ACTIVITY_DAYS), today, user=user
                    ),
                    "action": action,
                }
            )
        return rows

    @api.model
    def _promise_values(self, company, today):
        """Open promises due in the company's local week (Monday to Sunday) of ``today``."""
        monday = today - timedelta(days=today.weekday())
        domain = [
            ("company_id", "=", company.id),
            ("state", "=", "open"),
            ("date", ">=", monday),
            ("date", "<=", monday + timedelta(days=6)),
        ]
        Promise = self.env["cobranza.promise"]
        promises = Promise.search(domain, order="date, id")
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranza_telefonica.action_cobranza_promise")
        action.update(
            {
                "name": self.env._("Promises due this week"),
                "display_name": self.env._("Promises due this week"),
                "domain": domain,
                "view_mode": "list,form",
                "views": [(False, "list"), (False, "form")],
                "context": {},
            }
        )
        return {
            "count": len(promises),
            "amount": sum(promises.mapped("amount_company")),
            "rows": [
                {
                    "id": promise.id,
                    "partner": promise.commercial_partner_id.display_name,
                    "date": format_date(self.env, promise.date),
                    "amount": promise.amount_company,
                    "collector": promise.user_id.name or "",
                }
                for promise in promises[:PROMISE_ROWS]
            ],
            "action": action,
        }

    # ------------------------------------------------------------------ drill-down actions

    @api.model
    def _aging_action(self, company, domain, name):
        """The aging lines of ``company`` matching ``domain``, as a list: what a figure adds up."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "cobranza_telefonica.action_cobranza_aging_report"
        )
        action.update(
            {
                "name": name,
                "display_name": name,
                "domain": [("company_id", "=", company.id), *domain],
                "view_mode": "list,pivot,graph",
                "views": [(False, "list"), (False, "pivot"), (False, "graph")],
                "context": {},
            }
        )
        return action

    @api.model
    def _sales_action(self, company, date_from, date_to, name):
        """The posted customer invoices and credit notes dated in [date_from, date_to]: the credit
        sales of a KPI's window (cobranza.dashboard._credit_sales)."""
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action.update(
            {
                "name": name,
                "display_name": name,
                "domain": [
                    ("company_id", "=", company.id),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ],
                "context": {},
            }
        )
        return action
