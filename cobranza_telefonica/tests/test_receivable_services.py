from datetime import date

from odoo.tests import BaseCase, tagged

from ..services import receivable

CLP, USD = 1, 2
DIGITS = {CLP: 0, USD: 2, ("company", 10): 0}


@tagged("post_install", "-at_install")
class TestReceivableService(BaseCase):
    """services.receivable.build: grouped journal items -> one figure per customer and company."""

    def test_build_nets_credits_and_keeps_currencies_apart(self):
        rows = [
            # partner, company, currency, is credit, overdue, residual, residual currency, due
            (7, 10, CLP, False, True, 30000.0, 30000.0, date(2026, 3, 1)),
            (7, 10, CLP, False, False, 50000.0, 50000.0, date(2026, 3, 31)),
            (7, 10, USD, False, True, 950000.0, 1000.0, date(2026, 2, 24)),
            (7, 10, CLP, True, True, -30000.0, -30000.0, date(2026, 3, 13)),
        ]
        figure = receivable.build(rows, DIGITS)[(7, 10)]
        self.assertEqual((figure.balance, figure.overdue, figure.credit), (1000000.0, 980000.0, -30000.0))
        self.assertEqual(figure.collectible, 980000.0)
        self.assertEqual(figure.oldest_overdue, date(2026, 2, 24))
        self.assertEqual(figure.oldest_open, date(2026, 2, 24))
        self.assertEqual(figure.currencies[USD].balance, 1000.0)
        self.assertEqual(figure.currencies[CLP].balance, 50000.0)
        self.assertEqual(figure.days_overdue(date(2026, 3, 16)), 20)
        self.assertTrue(figure.dunnable)

    def test_covered_by_credits_is_not_dunnable(self):
        rows = [
            (8, 10, CLP, False, True, 31750.0, 31750.0, date(2026, 1, 15)),
            (8, 10, CLP, True, False, -31750.0, -31750.0, date(2026, 3, 15)),
        ]
        figure = receivable.build(rows, DIGITS)[(8, 10)]
        self.assertEqual((figure.balance, figure.overdue, figure.collectible), (0.0, 31750.0, 0.0))
        self.assertFalse(figure.dunnable)
        # Partly covered: only what the credits leave may be asked for.
        rows.append((8, 10, CLP, False, False, 10000.0, 10000.0, date(2026, 4, 15)))
        figure = receivable.build(rows, DIGITS)[(8, 10)]
        self.assertEqual((figure.balance, figure.collectible), (10000.0, 10000.0))

    def test_rounding_and_nothing_overdue(self):
        rows = [(9, 10, CLP, False, False, 0.1 + 0.2, 0.3, date(2026, 4, 1))]
        figure = receivable.build(rows, DIGITS)[(9, 10)]
        self.assertEqual(figure.balance, 0.0)
        self.assertEqual(figure.days_overdue(date(2026, 3, 16)), 0)
        self.assertIsNone(figure.oldest_overdue)
        self.assertFalse(figure.dunnable)
