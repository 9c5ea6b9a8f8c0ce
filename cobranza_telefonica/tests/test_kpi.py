from datetime import date, timedelta

from odoo.tests import BaseCase, tagged

from ..services import kpi


@tagged("post_install", "-at_install")
class TestKpi(BaseCase):
    def test_dso(self):
        self.assertEqual(kpi.dso(300000, 900000, 90), 30.0)
        self.assertEqual(kpi.dso(0, 900000), 0.0)
        self.assertIsNone(kpi.dso(300000, 0))
        with self.assertRaises(ValueError):
            kpi.dso(1, 1, 0)

    def test_cei(self):
        # opening 1,000 + sales 500 - closing 600 collected 900 of 1,000 + 500 - 400 = 1,100
        self.assertAlmostEqual(kpi.cei(1000, 500, 600, 400), 900 / 1100 * 100)
        self.assertEqual(kpi.cei(1000, 0, 0, 0), 100.0)
        self.assertIsNone(kpi.cei(0, 0, 0, 0))
        self.assertIsNone(kpi.cei(100, 0, 100, 200))

    def test_overdue_ratio(self):
        self.assertEqual(kpi.overdue_ratio(250, 1000), 0.25)
        self.assertEqual(kpi.overdue_ratio(10, 0), 0.0)
        self.assertEqual(kpi.overdue_ratio(1200, 1000), 1.0)
        self.assertEqual(kpi.overdue_ratio(-5, 1000), 0.0)

    def test_risk_segment(self):
        self.assertEqual(kpi.risk_segment(0, 0), "A")
        self.assertEqual(kpi.risk_segment(None, 0.05, None), "A")
        self.assertEqual(kpi.risk_segment(5, 0.10, 0.9), "A")
        self.assertEqual(kpi.risk_segment(5.1, 0.0), "B")
        self.assertEqual(kpi.risk_segment(0, 0.11), "B")
        self.assertEqual(kpi.risk_segment(0, 0.0, 0.8), "B")
        self.assertEqual(kpi.risk_segment(30, 0.5, 0.5), "B")
        self.assertEqual(kpi.risk_segment(30.5, 0.0), "C")
        self.assertEqual(kpi.risk_segment(0, 0.51), "C")
        self.assertEqual(kpi.risk_segment(0, 0.0, 0.49), "C")
        for bad in ((-1, 0), (0, 1.5), (0, 0, 2)):
            with self.assertRaises(ValueError):
                kpi.risk_segment(*bad)


@tagged("post_install", "-at_install")
class TestKpiPeriods(BaseCase):
    """The periods the dashboard measures over: complete months and month ends, in plain dates."""

    def test_previous_month(self):
        self.assertEqual(kpi.previous_month(date(2026, 12, 2)), (date(2026, 11, 1), date(2026, 11, 30)))
        self.assertEqual(kpi.previous_month(date(2026, 1, 31)), (date(2025, 12, 1), date(2025, 12, 31)))
        self.assertEqual(kpi.previous_month(date(2024, 3, 1)), (date(2024, 2, 1), date(2024, 2, 29)))
        self.assertEqual(kpi.month_start(date(2026, 12, 2)), date(2026, 12, 1))
        with self.assertRaises(TypeError):
            kpi.month_start("2026-12-02")

    def test_complete_months(self):
        # On 2 December: September to November, 91 days (not "the last 90 days" up to today).
        self.assertEqual(kpi.complete_months(date(2026, 12, 2)), (date(2026, 9, 1), date(2026, 11, 30), 91))
        self.assertEqual(kpi.complete_months(date(2026, 3, 16)), (date(2025, 12, 1), date(2026, 2, 28), 90))
        self.assertEqual(kpi.complete_months(date(2026, 3, 31), 1), (date(2026, 2, 1), date(2026, 2, 28), 28))
        self.assertEqual(
            kpi.complete_months(date(2026, 1, 1), 12), (date(2025, 1, 1), date(2025, 12, 31), 365)
        )
        with self.assertRaises(ValueError):
            kpi.complete_months(date(2026, 1, 1), 0)

    def test_month_ends_before(self):
        self.assertEqual(kpi.month_ends_before(date(2026, 3, 16), 2), [date(2026, 1, 31), date(2026, 2, 28)])
        ends = kpi.month_ends_before(date(2026, 12, 2), 12)
        self.assertEqual(len(ends), 12)
        self.assertEqual((ends[0], ends[-1]), (date(2025, 12, 31), date(2026, 11, 30)))
        self.assertEqual(ends, sorted(set(ends)))
        for end in ends:
            self.assertEqual((end + timedelta(days=1)).day, 1)
        self.assertEqual(kpi.month_ends_before(date(2026, 3, 1), 0), [])
        with self.assertRaises(ValueError):
            kpi.month_ends_before(date(2026, 3, 1), -1)

    def test_cei_of_a_month_with_nothing_collected(self):
        # The month to date on 2 December from one day: opening 100, no sales, closing 95 all due.
        self.assertAlmostEqual(kpi.cei(100, 0, 95, 0), 5.0)
        self.assertEqual(kpi.cei(400000, 400000, 800000, 500000), 0.0)
