"""Early-payment and settlement discounts: which tier or rule applies on a day, how much it is,
and how a discount splits between net and VAT on the credit note (DTE 61) that documents it.

Plain Python, no ORM: ``cobranza.discount.rule`` and ``cobranza.discount.offer`` call it.

In Chile a discount granted after the invoice was issued lowers the VAT base only when a credit
note references the invoice; the SII computes VAT on the note's net amount (IVA = net x 19 %,
rounded to the peso). So the discount is computed per tax line of the invoice: the net of each
group of lines sharing the same taxes is reduced by the discounted share, and each tax is
recomputed on that reduced net, as Odoo and the SII compute it for the credit note.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

# Error codes of ``tier_errors`` and ``percent_errors``; the models turn them into Spanish messages.
NOT_POSITIVE = "not_positive"
ABOVE_MAX = "above_max"
NEGATIVE_DAYS = "negative_days"
DUPLICATE_DAYS = "duplicate_days"
NOT_INCREASING = "not_increasing"


def currency_round(amount, digits):
    """Round like a currency with ``digits`` decimals (half away from zero, as Odoo's float_round)."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(str(amount)).quantize(quantum, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Tier:
    """``percent`` off an instalment paid ``days`` or more days before its due date."""

    days: int
    percent: float


def percent_errors(percent, max_percent):
    """Error codes for one percentage: at or below zero, or above the rule's maximum."""
    if percent is None or percent <= 0:
        return [NOT_POSITIVE]
    if max_percent is not None and percent > max_percent:
        return [ABOVE_MAX]
    return []


def tier_errors(tiers, max_percent):
    """Error codes of a set of early-payment tiers: each percentage within (0, max], days not
    negative, no two tiers on the same day, and a tier reached earlier never gives less (else the
    tiers overlap: paying earlier would earn a smaller discount)."""
    errors = []
    for tier in tiers:
        errors += percent_errors(tier.percent, max_percent)
        if tier.days < 0:
            errors.append(NEGATIVE_DAYS)
    days = [tier.days for tier in tiers]
    if len(set(days)) != len(days):
        errors.append(DUPLICATE_DAYS)
    ordered = sorted(tiers, key=lambda tier: tier.days)
    if any(later.percent <= earlier.percent for earlier, later in pairwise(ordered)):
        errors.append(NOT_INCREASING)
    return list(dict.fromkeys(errors))


def early_tier(tiers, due, day):
    """The tier earned by paying an instalment due on ``due`` on the local day ``day``: the one
    with the most days not above the days left before the due date (None when none is reached,
    and always on or after the due date unless a tier of 0 days exists)."""
    if due is None or day is None:
        return None
    days_before = (due - day).days
    reached = [tier for tier in tiers if tier.days <= days_before]
    return max(reached, key=lambda tier: tier.days) if reached else None


def settlement_applies(days_overdue, min_days_overdue):
    """A settlement rule applies to a debt overdue ``min_days_overdue`` days or more."""
    return days_overdue is not None and days_overdue >= max(min_days_overdue, 1)


def in_window(day, date_from, date_to):
    """Is ``day`` within the validity window (either end open when None)?"""
    return (date_from is None or date_from <= day) and (date_to is None or day <= date_to)


def windows_overlap(a_from, a_to, b_from, b_to):
    """Do two validity windows (ends open when None) share at least one day?"""
    start = max(a_from or date.min, b_from or date.min)
    end = min(a_to or date.max, b_to or date.max)
    return start <= end


def needs_approval(percent, amount, approval_percent, approval_amount):
    """Above the approval limit (a percentage, an amount, or both; 0 means no limit of that kind)
    a manager must approve the discount."""
    return bool(
        (approval_percent and percent > approval_percent) or (approval_amount and amount > approval_amount)
    )


@dataclass(frozen=True)
class TaxGroup:
    """The invoice lines sharing one set of taxes: their net ``base`` and the taxes' ``rates``
    (percent, e.g. 19.0 for IVA; an exempt group has none). ``key`` identifies the group."""

    key: object
    base: float
    rates: tuple = ()


@dataclass(frozen=True)
class Reduction:
    """What the credit note takes off one tax group: net, each tax, and their total."""

    key: object
    net: float
    taxes: tuple
    total: float


def discount_weight(instalments, invoice_total):
    """The share of the invoice's total given away: ``instalments`` is a list of (open amount,
    percent) per instalment (or one pair for the whole open balance)."""
    if not invoice_total:
        return 0.0
    return sum(amount * percent / 100.0 for amount, percent in instalments) / invoice_total


def split(groups, weight, digits):
    """The reductions of each tax group for a discount of ``weight`` of the invoice's total:
    net = base x weight, each tax = net x rate, rounded to the currency (the credit note's own
    computation, so its totals are these to the peso)."""
    reductions = []
    for group in groups:
        net = currency_round(group.base * weight, digits)
        taxes = tuple(currency_round(net * rate / 100.0, digits) for rate in group.rates)
        reductions.append(Reduction(group.key, net, taxes, currency_round(net + sum(taxes), digits)))
    return reductions


def total(reductions, digits):
    """The discount's amount: what the credit note totals."""
    return currency_round(sum(reduction.total for reduction in reductions), digits)
