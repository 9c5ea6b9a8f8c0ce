from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CobranzaCommon


@tagged("post_install", "-at_install")
class TestRiskDashboard(CobranzaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # customer: 1,000,000 due 2026-01-01 paid 2026-01-11 (10 days late) and 3,000,000
        # due 2026-02-01 paid early; open 500,000 not yet due -> 2.5 days late on average: A.
        cls.inv_a1 = cls._invoice(cls.customer, 1000000, date(2026, 1, 1))
        cls._pay(cls.inv_a1, 1000000, date(2026, 1, 11))
        cls.inv_a2 = cls._invoice(cls.customer, 3000000, date(2026, 2, 1))
        cls._pay(cls.inv_a2, 3000000, date(2026, 1, 25))
        cls.inv_a3 = cls._invoice(cls.customer, 500000, date(2026, 4, 1), date(2026, 3, 2))
        # customer_b: 200,000 due 2025-12-01 paid 2026-02-09 (70 days late), 400,000 overdue.
        cls.inv_b1 = cls._invoice(cls.customer_b, 200000, date(2025, 12, 1))
        cls._pay(cls.inv_b1, 200000, date(2026, 2, 9))
        cls.inv_b2 = cls._invoice(cls.customer_b, 400000, date(2026, 2, 15))
        # a credit note is not a payment: it does not count as paid late.
        cls._credit_note(cls.inv_b2, 100000, date(2026, 3, 10))

    @freeze_time("2026-03-16 15:00:00")
    def test_risk_cron(self):
        partners = self.customer | self.customer_b
        self.env["res.partner"]._cron_cobranza_refresh_risk(batch_size=1)
        self.assertAlmostEqual(self.customer.cobranza_avg_days_late, 2.5)
        self.assertEqual(self.customer.cobranza_overdue_ratio, 0.0)
        self.assertEqual(self.customer.cobranza_risk_segment, "A")
        self.assertAlmostEqual(self.customer_b.cobranza_avg_days_late, 70.0)
        self.assertEqual(self.customer_b.cobranza_overdue_ratio, 1.0)
        self.assertEqual(self.customer_b.cobranza_risk_segment, "C")
        # Twice gives the same.
        self.env["res.partner"]._cron_cobranza_refresh_risk()
        self.assertEqual(partners.mapped("cobranza_risk_segment"), ["A", "C"])
        # A promise kept ratio given by the hook moves the segment (issue 5 fills the hook).
        Partner = type(self.env["res.partner"])
        with patch.object(
            Partner, "_cobranza_promise_kept_ratios", lambda _self, _company, ids: {self.customer.id: 0.4}
        ):
            values = self.env["res.partner"]._cobranza_risk_values(self.company, partners.ids)
        self.assertEqual(values[self.customer.id][2], "C")
        self.assertEqual(set(values), set(partners.ids))

    @freeze_time("2026-03-16 15:00:00")
    def test_snapshot_cron(self):
        snapshots = self.env["cobranza.aging.snapshot"]._cron_take_snapshots(self.company)
        self.assertEqual(len(snapshots), 1)
        self.assertEqual(snapshots.date, date(2026, 2, 28))
        # On 2026-02-28: inv_a3 did not exist, inv_b2 400,000 overdue 13 days.
        self.assertEqual(snapshots.residual, 400000)
        self.assertEqual(snapshots.amount_overdue, 400000)
        self.assertEqual(snapshots.amount_1_30, 400000)
        self.assertEqual(snapshots.overdue_percent, 100.0)
        again = self.env["cobranza.aging.snapshot"]._cron_take_snapshots(self.company)
        self.assertFalse(again)
        with self.assertRaises(AccessError):
            self.env["cobranza.aging.snapshot"].with_user(self.collector).search([])

    @freeze_time("2026-03-17 15:00:00")
    def test_dashboard(self):
        """The figures of 2026-03-16, the day before (the as-of engine), checked by hand."""
        board = (
            self.env["cobranza.dashboard"]
            .with_user(self.manager)
            .create({"company_id": self.company.id, "date": date(2026, 3, 16)})
        )
        # open: inv_a3 500,000 (not due) + inv_b2 300,000 (overdue)
        self.assertEqual(board.total_receivable, 800000)
        self.assertEqual(board.total_overdue, 300000)
        self.assertAlmostEqual(board.overdue_percent, 37.5, places=1)
        # DSO over the three complete months December-February (90 days): receivable on 28
        # February (inv_b2 400,000) over that window's sales (invoices are dated 30 days before
        # their due date): inv_a1 (2 Dec) + inv_a2 (2 Jan) + inv_b2 (16 Jan).
        self.assertEqual((board.dso_date_from, board.dso_date_to), (date(2025, 12, 1), date(2026, 2, 28)))
        self.assertEqual(board.dso_days, 90)
        self.assertEqual(board.dso_receivable, 400000)
        self.assertEqual(board.dso_credit_sales, 4400000)
        self.assertAlmostEqual(board.dso, 400000 / 4400000 * 90, places=1)
        # CEI of February, the last complete month: open on 31 January inv_b1 200,000 + inv_b2
        # 400,000; no sales; on 28 February inv_b2 400,000, all overdue.
        self.assertEqual(
            (board.last_month_start, board.last_month_end), (date(2026, 2, 1), date(2026, 2, 28))
        )
        self.assertEqual(board.last_month_opening, 600000)
        self.assertEqual(board.last_month_sales, 0)
        self.assertEqual(board.last_month_closing, 400000)
        self.assertAlmostEqual(board.cei_last_month, (600000 - 400000) / 600000 * 100, places=1)
        # CEI of March to the 16th: opening 400,000, sales 500,000 - 100,000, closing 800,000,
        # not yet due 500,000: nothing collected.
        self.assertEqual(board.month_start, date(2026, 3, 1))
        self.assertEqual(board.opening_receivable, 400000)
        self.assertEqual(board.month_sales, 400000)
        self.assertAlmostEqual(board.cei, (400000 + 400000 - 800000) / (400000 + 400000 - 500000) * 100)
        action = board.action_open_overdue()
        self.assertEqual(action["res_model"], "cobranza.aging.report")
        self.assertEqual(board.action_open_trend()["res_model"], "cobranza.aging.snapshot")
        opened = self.env["cobranza.dashboard"].with_user(self.manager).action_open_dashboard()
        self.assertTrue(opened["res_id"])
        today = self.env["cobranza.dashboard"].with_user(self.manager).browse(opened["res_id"])
        self.assertEqual(today.date, date(2026, 3, 17))
        # Today: the live aging's own totals (whatever day the database ages it on).
        [(residual, overdue)] = self.env["cobranza.aging.report"]._read_group(
            [("company_id", "=", self.company.id)], aggregates=["residual:sum", "amount_overdue:sum"]
        )
        self.assertEqual((today.total_receivable, today.total_overdue), (residual, overdue))
        self.assertEqual(today.total_receivable, 800000)
        with self.assertRaises(AccessError):
            self.env["cobranza.dashboard"].with_user(self.collector).create({})
