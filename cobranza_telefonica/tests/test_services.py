from datetime import date

from odoo.tests import BaseCase, tagged

from ..services import aging, rut


@tagged("post_install", "-at_install")
class TestRut(BaseCase):
    def test_check_digit(self):
        self.assertEqual(rut.check_digit(76086428), "5")
        self.assertEqual(rut.check_digit(12533840), "2")
        # 11 - (sum mod 11) == 10 gives K, == 11 gives 0
        self.assertEqual(rut.check_digit(10000013), "K")
        self.assertEqual(rut.check_digit(10000004), "0")

    def test_is_valid(self):
        self.assertTrue(rut.is_valid("76.086.428-5"))
        self.assertTrue(rut.is_valid("CL760864285"))
        self.assertTrue(rut.is_valid("10000013-k"))
        self.assertFalse(rut.is_valid("76.086.428-4"))
        self.assertFalse(rut.is_valid(""))
        self.assertFalse(rut.is_valid("abc"))
        self.assertFalse(rut.is_valid(None))

    def test_format(self):
        self.assertEqual(rut.format_rut(76086428), "76.086.428-5")

    def test_display(self):
        self.assertEqual(rut.display("77340975-7"), "77.340.975-7")
        self.assertEqual(rut.display("CL773409757"), "77.340.975-7")
        self.assertEqual(rut.display("10000013-k"), "10.000.013-K")
        self.assertEqual(rut.display("77340975-1"), "77340975-1", "a wrong RUT is left as written")
        self.assertEqual(rut.display("DE123456789"), "DE123456789")
        self.assertEqual(rut.display(False), "")


@tagged("post_install", "-at_install")
class TestAgingBuckets(BaseCase):
    def test_bucket_edges(self):
        as_of = date(2026, 3, 31)
        expected = {
            date(2026, 4, 30): "not_due",
            date(2026, 3, 31): "not_due",
            date(2026, 3, 30): "1_30",
            date(2026, 3, 1): "1_30",
            date(2026, 2, 28): "31_60",
            date(2026, 1, 30): "31_60",
            date(2026, 1, 29): "61_90",
            date(2025, 12, 31): "61_90",
            date(2025, 12, 30): "91_120",
            date(2025, 12, 1): "91_120",
            date(2025, 11, 30): "over_120",
            date(2020, 1, 1): "over_120",
        }
        for due, bucket in expected.items():
            with self.subTest(due=due):
                self.assertEqual(aging.bucket_for_date(due, as_of), bucket)

    def test_days_overdue_needs_dates(self):
        self.assertEqual(aging.days_overdue(date(2026, 3, 1), date(2026, 3, 31)), 30)
        with self.assertRaises(TypeError):
            aging.days_overdue("2026-03-01", date(2026, 3, 31))
