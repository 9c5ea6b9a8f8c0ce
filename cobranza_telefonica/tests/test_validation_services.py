from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..services import validation


@tagged("post_install", "-at_install")
class TestValidationServices(BaseCase):
    def test_is_sane_amount(self):
        for value in (0, 1500, -1500, 0.5, Decimal("12.5"), 999_999_999_999_999):
            with self.subTest(value=value):
                self.assertTrue(validation.is_sane_amount(value))
        for value in (
            float("nan"),
            float("inf"),
            float("-inf"),
            1e308,
            -1e15,
            1e15,
            10**400,
            True,
            None,
            "10",
        ):
            with self.subTest(value=value):
                self.assertFalse(validation.is_sane_amount(value))
        self.assertTrue(validation.is_sane_amount(5000, limit=10000))
        self.assertFalse(validation.is_sane_amount(10000, limit=10000))

    def test_bad_amount_field(self):
        bad = validation.bad_amount_field
        self.assertIsNone(bad({"amount": 10, "note": "x"}, ["amount", "other"]))
        self.assertIsNone(bad({"amount": False}, ["amount"]), "empty is 0")
        self.assertIsNone(bad({"amount": "1500.5"}, ["amount"]), "the ORM converts numeric strings")
        self.assertEqual(bad({"amount": float("nan")}, ["amount"]), "amount")
        self.assertEqual(bad({"amount": "abc"}, ["amount"]), "amount")
        self.assertEqual(bad({"amount": "inf"}, ["amount"]), "amount")

    def test_strip_nul(self):
        self.assertEqual(validation.strip_nul("a\x00b\x00"), "ab")
        self.assertEqual(validation.strip_nul("sin nulos"), "sin nulos")
        self.assertIs(validation.strip_nul(False), False)
        self.assertIsNone(validation.strip_nul(None))
        vals = {"note": "x", "amount": 1}
        self.assertIs(validation.strip_nul_vals(vals, ["note"]), vals, "untouched: no copy")
        cleaned = validation.strip_nul_vals({"note": "a\x00", "name": "b\x00"}, ["note"])
        self.assertEqual(cleaned, {"note": "a", "name": "b\x00"}, "only the fields named")

    def test_to_number(self):
        to_number = validation.to_number
        self.assertEqual(to_number(10), 10)
        self.assertEqual(to_number(" 10 "), 10)
        self.assertIsInstance(to_number("10"), int)
        self.assertEqual(to_number("1.5"), 1.5)
        self.assertEqual(to_number(Decimal("2.5")), 2.5)
        self.assertEqual(to_number(False), 0)
        self.assertEqual(to_number(None), 0)
        for value in ("abc", "", True, float("nan"), "inf", [1], {}):
            with self.subTest(value=value), self.assertRaises(ValueError):
                to_number(value)

    def test_search_numbers(self):
        search = validation.search_numbers
        self.assertEqual(search(">", "10"), (">", 10))
        self.assertEqual(search("in", [1, "2"]), ("in", (1, 2)))
        self.assertEqual(search("in", 3), ("in", (3,)))
        self.assertEqual(search("=", [1, 2]), ("in", (1, 2)))
        self.assertEqual(search("!=", (1,)), ("not in", (1,)))
        for operator, value in (("ilike", "1"), ("=?", 1), ("<", [1, 2]), ("in", ["x"])):
            with self.subTest(operator=operator, value=value), self.assertRaises(ValueError):
                search(operator, value)

    def test_number_predicate(self):
        predicate = validation.number_predicate
        self.assertTrue(predicate("in", (1, 2))(2.0))
        self.assertFalse(predicate("not in", (1, 2))(1))
        self.assertTrue(predicate("!=", 0)(5))
        self.assertTrue(predicate("<=", 5)(5))
        self.assertFalse(predicate(">", 5)(5))
