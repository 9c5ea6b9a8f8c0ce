from datetime import date

from odoo.tests import BaseCase, tagged

from ..services import discount

TIERS = [discount.Tier(10, 3.0), discount.Tier(5, 1.5)]
DUE = date(2026, 3, 31)


@tagged("post_install", "-at_install")
class TestDiscountServices(BaseCase):
    """services.discount: tiers, windows, approval and the net/VAT split of a credit note."""

    def test_tier_boundaries(self):
        cases = [
            (date(2026, 3, 20), 3.0),  # 11 days before
            (date(2026, 3, 21), 3.0),  # 10 days: first tier
            (date(2026, 3, 22), 1.5),  # 9 days: the day after the first tier
            (date(2026, 3, 26), 1.5),  # 5 days: second tier
            (date(2026, 3, 27), None),  # 4 days: no tier
            (DUE, None),
            (date(2026, 4, 1), None),  # overdue
        ]
        for day, percent in cases:
            tier = discount.early_tier(TIERS, DUE, day)
            self.assertEqual(tier and tier.percent, percent, day)
        self.assertIsNone(discount.early_tier(TIERS, None, date(2026, 3, 1)))
        self.assertEqual(discount.early_tier([discount.Tier(0, 1.0)], DUE, DUE).percent, 1.0)

    def test_tier_errors(self):
        self.assertEqual(discount.tier_errors(TIERS, 5.0), [])
        self.assertEqual(discount.tier_errors([discount.Tier(10, 0.0)], 5.0), [discount.NOT_POSITIVE])
        self.assertEqual(discount.tier_errors([discount.Tier(10, -1.0)], 5.0), [discount.NOT_POSITIVE])
        self.assertEqual(discount.tier_errors([discount.Tier(10, 6.0)], 5.0), [discount.ABOVE_MAX])
        self.assertEqual(discount.tier_errors([discount.Tier(-1, 1.0)], 5.0), [discount.NEGATIVE_DAYS])
        self.assertIn(
            discount.DUPLICATE_DAYS, discount.tier_errors([discount.Tier(5, 1.0), discount.Tier(5, 2.0)], 5.0)
        )
        # Paying earlier must never earn less: 10 days 1 %, 5 days 2 % overlap.
        self.assertEqual(
            discount.tier_errors([discount.Tier(10, 1.0), discount.Tier(5, 2.0)], 5.0),
            [discount.NOT_INCREASING],
        )

    def test_settlement_and_windows(self):
        self.assertFalse(discount.settlement_applies(29, 30))
        self.assertTrue(discount.settlement_applies(30, 30))
        self.assertFalse(discount.settlement_applies(0, 0))  # a settlement is for overdue debt only
        self.assertTrue(discount.in_window(date(2026, 3, 1), None, None))
        self.assertTrue(discount.in_window(date(2026, 3, 31), date(2026, 3, 1), date(2026, 3, 31)))
        self.assertFalse(discount.in_window(date(2026, 4, 1), date(2026, 3, 1), date(2026, 3, 31)))
        self.assertTrue(
            discount.windows_overlap(date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31), None)
        )
        self.assertFalse(
            discount.windows_overlap(date(2026, 3, 1), date(2026, 3, 30), date(2026, 3, 31), None)
        )
        self.assertTrue(discount.windows_overlap(None, None, date(2026, 3, 31), date(2026, 3, 31)))

    def test_approval(self):
        self.assertFalse(discount.needs_approval(5.0, 10000, 5.0, 0))
        self.assertTrue(discount.needs_approval(5.01, 10000, 5.0, 0))
        self.assertTrue(discount.needs_approval(1.0, 100001, 0, 100000))
        self.assertFalse(discount.needs_approval(50.0, 10**9, 0, 0))

    def test_split_iva_and_exempt_lines(self):
        # Net 100.000 with IVA 19 % and an exempt line of 50.000: total 169.000; 3 % off.
        groups = [discount.TaxGroup("iva", 100000.0, (19.0,)), discount.TaxGroup("exempt", 50000.0)]
        reductions = discount.split(groups, discount.discount_weight([(169000.0, 3.0)], 169000.0), 0)
        self.assertEqual(
            [(r.net, r.taxes, r.total) for r in reductions], [(3000, (570,), 3570), (1500, (), 1500)]
        )
        self.assertEqual(discount.total(reductions, 0), 5070)  # exactly 3 % of 169.000

    def test_split_rounds_to_the_peso_like_the_sii(self):
        # Net 33.333 -> IVA 6.333 (6.333,27); 1,5 % off the net is 499,995 -> 500, its IVA 95.
        reductions = discount.split([discount.TaxGroup("iva", 33333.0, (19.0,))], 0.015, 0)
        self.assertEqual((reductions[0].net, reductions[0].taxes, reductions[0].total), (500, (95,), 595))
        # The VAT of the note is the SII's: round(net x 19 %), never the difference of totals.
        self.assertEqual(reductions[0].taxes[0], round(reductions[0].net * 0.19))

    def test_split_instalments(self):
        # 119.000 in two instalments of 59.500: one paid 10 days early (3 %), one 5 days (1,5 %).
        weight = discount.discount_weight([(59500.0, 3.0), (59500.0, 1.5)], 119000.0)
        self.assertAlmostEqual(weight, 0.0225)
        (reduction,) = discount.split([discount.TaxGroup("iva", 100000.0, (19.0,))], weight, 0)
        # 2.250 net; IVA 427,5 rounds half up to 428.
        self.assertEqual((reduction.net, reduction.taxes, reduction.total), (2250, (428,), 2678))

    def test_split_usd_keeps_cents(self):
        (reduction,) = discount.split([discount.TaxGroup("iva", 1234.56, (19.0,))], 0.02, 2)
        self.assertEqual((reduction.net, reduction.taxes, reduction.total), (24.69, (4.69,), 29.38))
        self.assertEqual(discount.currency_round(0.005, 2), 0.01)
        self.assertEqual(discount.currency_round(2.5, 0), 3)
        self.assertEqual(discount.discount_weight([(100.0, 3.0)], 0), 0.0)
