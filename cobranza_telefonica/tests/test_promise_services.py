from datetime import date

from odoo.tests import BaseCase, tagged

from ..services import promise


@tagged("post_install", "-at_install")
class TestPromiseServices(BaseCase):
    DEADLINE = date(2026, 3, 20)

    def test_state(self):
        state = promise.promise_state
        self.assertEqual(state(1000, 1000, self.DEADLINE, date(2026, 3, 1), 1.0), "kept", "kept at once")
        self.assertEqual(state(1000, 1500, self.DEADLINE, date(2026, 4, 1), 1.0), "kept")
        self.assertEqual(state(1000, 999, self.DEADLINE, self.DEADLINE, 1.0), "open", "deadline day")
        self.assertEqual(state(1000, 999, self.DEADLINE, date(2026, 3, 21), 1.0), "partial")
        self.assertEqual(state(1000, 0, self.DEADLINE, date(2026, 3, 21), 1.0), "broken")
        with self.assertRaises(ValueError):
            state(0, 0, self.DEADLINE, self.DEADLINE, 1.0)
        with self.assertRaises(TypeError):
            state(10, 0, "2026-03-20", self.DEADLINE, 1.0)

    def test_currency_rounding(self):
        state = promise.promise_state
        late = date(2026, 3, 21)
        # CLP has no decimals: 999.6 paid on 1000 rounds to the whole amount.
        self.assertEqual(state(1000, 999.6, self.DEADLINE, late, 1.0), "kept")
        self.assertEqual(state(1000, 0.4, self.DEADLINE, late, 1.0), "broken")
        # USD cents: the same 999.6 is short.
        self.assertEqual(state(1000, 999.6, self.DEADLINE, late, 0.01), "partial")
        self.assertEqual(state(10.0, 9.999, self.DEADLINE, late, 0.01), "kept")

    def test_split_amount(self):
        self.assertEqual(promise.split_amount(100000, 3, 1.0), [33333, 33333, 33334])
        self.assertEqual(promise.split_amount(100, 3, 0.01), [33.33, 33.33, 33.34])
        self.assertEqual(promise.split_amount(5, 1, 1.0), [5])
        self.assertEqual(sum(promise.split_amount(1000001, 7, 1.0)), 1000001)
        with self.assertRaises(ValueError):
            promise.split_amount(100, 0, 1.0)
        with self.assertRaises(ValueError):
            promise.split_amount(0, 3, 1.0)

    def test_dates(self):
        self.assertEqual(
            promise.instalment_dates(date(2026, 1, 31), 3, 30),
            [date(2026, 1, 31), date(2026, 3, 2), date(2026, 4, 1)],
        )
        with self.assertRaises(ValueError):
            promise.instalment_dates(date(2026, 1, 31), 3, 0)

    def test_plan_paid(self):
        self.assertEqual(promise.plan_paid([100, 100, 100], [100, 150, 300]), [100, 50, 100])
        self.assertEqual(promise.plan_paid([100, 100], [250, 250]), [100, 150], "last keeps the surplus")
        self.assertEqual(promise.plan_paid([100, 100], [0, 50]), [0, 0])

    def test_allocate(self):
        self.assertEqual(promise.allocate([60, 60], [50, 100], 1.0), [[(0, 50), (1, 10)], [(1, 60)]])
        with self.assertRaises(ValueError):
            promise.allocate([200], [50, 100], 1.0)

    def test_settled(self):
        state = promise.promise_state
        early, late = date(2026, 3, 1), date(2026, 4, 1)
        self.assertEqual(state(1000, 0, self.DEADLINE, early, 1.0, settled=True), "settled", "at once")
        self.assertEqual(state(1000, 300, self.DEADLINE, late, 1.0, settled=True), "settled")
        self.assertEqual(state(1000, 1000, self.DEADLINE, early, 1.0, settled=True), "kept", "paid wins")
        self.assertEqual(state(1000, 0, self.DEADLINE, late, 1.0), "broken")

    def test_outstanding_and_available(self):
        # Two open promises claim 60 + 40 of an invoice; 30 paid since the first: 70 still to come.
        self.assertEqual(promise.outstanding(100, 30, 1.0), 70)
        self.assertEqual(promise.outstanding(100, 130, 1.0), 0, "never below zero")
        self.assertEqual(promise.available(70, 100, 30, 1.0), 0)
        self.assertEqual(promise.available(100, 60, 30, 1.0), 70)
        self.assertEqual(promise.available(100.5, 60.25, 0, 0.01), 40.25)
        self.assertEqual(promise.available(10, 50, 0, 1.0), 0, "over-promised: nothing free")
