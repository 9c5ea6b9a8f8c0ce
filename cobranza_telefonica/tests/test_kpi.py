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
