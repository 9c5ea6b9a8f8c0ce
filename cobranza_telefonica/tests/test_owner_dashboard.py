from collections import defaultdict
from datetime import datetime, time, timedelta

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import SQL

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from ..models.res_partner import to_utc
from ..services import clock
from ..services.aging import BUCKET_KEYS, bucket_for_date
from .test_aging import AgingCommon


@tagged("post_install", "-at_install")
class TestOwnerDashboard(AgingCommon):
    """Issue 13: the dashboard with pictures. Its one RPC method against independent figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db_today = cls.company._cobranza_today()
        cls.live_1_30 = cls._invoice(cls.customer, 110000, cls.db_today - timedelta(days=10))
        cls.live_31_60 = cls._invoice(cls.customer_b, 120000, cls.db_today - timedelta(days=45))
        cls.live_not_due = cls._invoice(
            cls.customer_b, 130000, cls.db_today + timedelta(days=20), cls.db_today
        )
        # The debtor answers the collector yesterday and pays 30,000 today: collected after a call.
        yesterday_noon = to_utc(
            datetime.combine(cls.db_today - timedelta(days=1), time(12)), cls.company._cobranza_tz()
        )
        calls = [
            (cls.collector, cls.customer, "debtor"),
            (cls.collector, cls.customer_b, "no_answer"),
            (cls.manager, cls.customer_b, "busy"),
        ]
        cls.env["cobranza.call"].sudo().create(
            [
                {
                    "company_id": cls.company.id,
                    "user_id": user.id,
                    "partner_id": partner.id,
                    "contact_result": result,
                    "date_start": yesterday_noon,
                }
                for user, partner, result in calls
            ]
        )
        cls._pay(cls.live_1_30, 30000, cls.db_today)
        monday = cls.db_today - timedelta(days=cls.db_today.weekday())
        noon = to_utc(datetime.combine(cls.db_today, time(12)), cls.company._cobranza_tz())
        with clock.frozen_at(noon):
            Promise = cls.env["cobranza.promise"].with_user(cls.collector)
            cls.promise_week = Promise.create(
                {
                    "partner_id": cls.customer_b.id,
                    "date": monday + timedelta(days=6),
                    "line_ids": [Command.create({"move_id": cls.live_31_60.id, "amount": 50000})],
                }
            )
            cls.promise_next_week = Promise.create(
                {
                    "partner_id": cls.customer_b.id,
                    "date": monday + timedelta(days=8),
                    "line_ids": [Command.create({"move_id": cls.live_not_due.id, "amount": 20000})],
                }
            )

    def _data(self, user=None):
        Board = self.env["cobranza.owner.dashboard"].with_user(user or self.manager)
        return Board.with_company(self.company).get_dashboard_data()

    def _sql_buckets(self):
        """Independent aging: open receivable journal items of posted entries, straight from
        account_move_line, bucketed in Python on the company's day."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT aml.id, COALESCE(aml.date_maturity, aml.date), aml.amount_residual
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE aml.company_id = %s
                   AND am.state = 'posted'
                   AND acc.account_type = 'asset_receivable'
                   AND aml.amount_residual != 0
                """,
                self.company.id,
            )
        )
        amounts, lines = defaultdict(float), defaultdict(set)
        for line_id, due, residual in self.env.cr.fetchall():
            bucket = bucket_for_date(due, self.db_today)
            amounts[bucket] += float(residual)
            lines[bucket].add(line_id)
        return amounts, lines

    def test_figures_match_independent_sql(self):
        with self._clock_at(self.db_today, hour=12):
            data = self._data()
            amounts, lines = self._sql_buckets()
            self.assertEqual([bucket["key"] for bucket in data["buckets"]], list(BUCKET_KEYS))
            by_key = {bucket["key"]: bucket for bucket in data["buckets"]}
            for key in BUCKET_KEYS:
                with self.subTest(bucket=key):
                    self.assertEqual(by_key[key]["amount"], amounts.get(key, 0.0))
                    aging = self.env["cobranza.aging.report"].search(by_key[key]["action"]["domain"])
                    self.assertEqual(set(aging.move_line_id.ids), lines.get(key, set()))
            # The same figures by hand: 954,000 over 120 days from AgingCommon, the live ones.
            self.assertEqual(by_key["over_120"]["amount"], 954000)
            self.assertEqual(by_key["1_30"]["amount"], 80000)
            self.assertEqual(by_key["31_60"]["amount"], 120000)
            self.assertEqual(by_key["not_due"]["amount"], 130000)
            self.assertEqual(by_key["61_90"]["amount"], 0)
            self.assertEqual(by_key["31_60"]["count"], 1)

            cards = {card["key"]: card for card in data["kpis"]}
            self.assertEqual(cards["total_receivable"]["value"], 1284000)
            self.assertEqual(cards["total_overdue"]["value"], 1154000)
            self.assertAlmostEqual(cards["overdue_percent"]["value"], 1154000 / 1284000 * 100)
            overdue_lines = self.env["cobranza.aging.report"].search(
                cards["total_overdue"]["action"]["domain"]
            )
            self.assertEqual(sum(overdue_lines.mapped("residual")), 1154000)
            board = self.env["cobranza.dashboard"].create({"company_id": self.company.id})
            self.assertAlmostEqual(cards["dso"]["value"], board.dso, delta=0.05)  # the field rounds
            self.assertAlmostEqual(cards["cei_last_month"]["value"], board.cei_last_month, delta=0.05)
            self.assertEqual(data["currency_id"], self.currency.id)
            self.assertEqual(
                data["links"]["xlsx"]["url"], f"/cobranza/aging/by-customer.xlsx?cids={self.company.id}"
            )
            self.assertEqual(data["links"]["details"]["type"], "ir.actions.server")

            self.assertEqual(data["promises"]["count"], 1)
            self.assertEqual(data["promises"]["amount"], 50000)
            self.assertEqual(cards["promises_week"]["value"], 1)
            self.assertEqual(
                self.env["cobranza.promise"].search(data["promises"]["action"]["domain"]), self.promise_week
            )

            rows = {row["user_id"]: row for row in data["collectors"]}
            self.assertEqual(set(rows), {self.collector.id, self.manager.id})
            self.assertEqual(rows[self.collector.id]["calls"], 2)
            self.assertEqual(rows[self.collector.id]["contact_rate"], 50.0)
            self.assertEqual(rows[self.collector.id]["collected"], 30000)
            self.assertEqual(rows[self.manager.id]["calls"], 1)
            self.assertEqual(rows[self.manager.id]["contact_rate"], 0.0)
            self.assertEqual(rows[self.manager.id]["collected"], 0)
            calls = self.env["cobranza.call"].search(rows[self.collector.id]["action"]["domain"])
            self.assertEqual(calls.user_id, self.collector)
            self.assertEqual(len(calls), 2)

    def test_trend_from_snapshots(self):
        """The overdue line has one point per month-end snapshot (at most 12, oldest first), each
        the overdue of the independent as-of aging of that day."""
        Snapshot = self.env["cobranza.aging.snapshot"]
        with self._clock_at(self.db_today, hour=12):
            self.assertEqual(self._data()["trend"]["points"], [])
            Snapshot._cron_take_snapshots(companies=self.company, months=3)
            points = self._data()["trend"]["points"]
            self.assertEqual(len(points), 3)
            for point in points:
                as_of = datetime.strptime(point["date"], "%Y-%m-%d").date()
                expected = sum(
                    residual
                    for _partner, bucket, residual, *_rest in self._expected_aging(as_of).values()
                    if bucket != "not_due" and residual > 0
                )
                self.assertEqual(point["overdue"], expected)
            self.assertIsNone(points[0]["cei"])  # no month end before the first one
            Snapshot._cron_take_snapshots(companies=self.company, months=14)
            points = self._data()["trend"]["points"]
            self.assertEqual(len(points), 12)
            snapshots = Snapshot.search([("company_id", "=", self.company.id)], order="date desc", limit=12)
            self.assertEqual(
                [point["date"] for point in points],
                [d.isoformat() for d in reversed(snapshots.mapped("date"))],
            )
            self.assertIsNotNone(points[0]["cei"])  # the 13th month end opens the first month's CEI
            by_date = {snapshot.date.isoformat(): snapshot for snapshot in Snapshot.search([])}
            for previous, point in zip([None, *points], points, strict=False):
                snapshot = by_date[point["date"]]
                opening = (
                    by_date[previous["date"]]
                    if previous
                    else Snapshot.search(
                        [("company_id", "=", self.company.id), ("date", "<", snapshot.date)],
                        order="date desc",
                        limit=1,
                    )
                )
                sales = self._sql_sales(opening.date, snapshot.date)
                collectable = opening.residual + sales - snapshot.amount_not_due
                self.assertAlmostEqual(
                    point["cei"], (opening.residual + sales - snapshot.residual) / collectable * 100
                )
                window_start = snapshot.date.replace(day=1)  # the three months ending that day
                for _month in range(2):
                    window_start = (window_start - timedelta(days=1)).replace(day=1)
                window_sales = self._sql_sales(window_start - timedelta(days=1), snapshot.date)
                days = (snapshot.date - window_start).days + 1
                expected_dso = snapshot.residual / window_sales * days if window_sales > 0 else None
                self.assertAlmostEqual(point["dso"], expected_dso)

    def _sql_sales(self, after, until):
        """Independent credit sales: posted customer invoices less credit notes, in company
        currency, dated after ``after`` and up to ``until``."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(amount_total_signed), 0) FROM account_move
                 WHERE company_id = %s AND state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
                   AND date > %s AND date <= %s
                """,
                self.company.id,
                after,
                until,
            )
        )
        return float(self.env.cr.fetchone()[0])

    def test_collector_is_refused(self):
        """Collection managers only: a collector, an internal user and a portal user are refused."""
        portal = new_test_user(self.env, login="test_dashboard_portal", groups="base.group_portal")
        for user in (self.collector, self.plain_user, portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._data(user)

    def test_menu_and_aging_graph(self):
        """The Reporting menu opens the client action; the aging's graph is bars by bucket, not
        stacked, so Odoo draws no "Sum" line over them."""
        menu = self.env.ref("cobranza_telefonica.menu_cobranza_dashboard")
        self.assertEqual(menu.action, self.env.ref("cobranza_telefonica.action_cobranza_owner_dashboard"))
        self.assertEqual(menu.action.tag, "cobranza_owner_dashboard")
        arch = self.env["cobranza.aging.report"].get_views([(False, "graph")])["views"]["graph"]["arch"]
        graph = etree.fromstring(arch)
        self.assertEqual(graph.get("type"), "bar")
        self.assertEqual(graph.get("stacked"), "0")
        self.assertEqual([field.get("name") for field in graph if field.get("type") != "measure"], ["bucket"])


@tagged("post_install", "-at_install")
class TestOwnerDashboardUi(AgingCommon, AccountTestInvoicingHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_manager = new_test_user(
            cls.env,
            login="tour_dashboard_manager",
            password="tour_dashboard_manager",
            groups="base.group_user,cobranza_telefonica.group_cobranza_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.env["cobranza.aging.snapshot"]._cron_take_snapshots(companies=cls.company, months=3)

    def test_dashboard_tour(self):
        """A manager opens the dashboard from the Reporting menu, sees its charts and the overdue
        share with "%", clicks the bar over 120 days and lands on exactly its three aging lines."""
        self.start_tour("/odoo", "cobranza_dashboard_tour", login="tour_dashboard_manager")

    def test_dashboard_tour_in_spanish(self):
        """The same for a Chilean manager: Spanish titles and bucket, "$ 954.000", "100%"."""
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        self.tour_manager.lang = "es_419"
        self.start_tour("/odoo", "cobranza_dashboard_es_tour", login="tour_dashboard_manager")

    def test_rpc_refused_to_a_collector(self):
        """Through the web client's own JSON-RPC route: a collector is refused, a manager served."""
        route = "/web/dataset/call_kw/cobranza.owner.dashboard/get_dashboard_data"
        params = {
            "model": "cobranza.owner.dashboard",
            "method": "get_dashboard_data",
            "args": [],
            "kwargs": {},
        }
        self.authenticate(self.collector.login, self.collector.login)
        with self.assertRaises(JsonRpcException) as refused:
            self.make_jsonrpc_request(route, params)
        self.assertIn("AccessError", str(refused.exception))
        self.authenticate("tour_dashboard_manager", "tour_dashboard_manager")
        data = self.make_jsonrpc_request(route, params)
        self.assertEqual(data["company"]["id"], self.company.id)
        self.assertEqual({bucket["key"]: bucket["amount"] for bucket in data["buckets"]}["over_120"], 954000)
