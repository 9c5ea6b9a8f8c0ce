"""Promises to pay: the state a promise reaches from the money really paid, and how a payment
plan splits an amount into instalments. Plain values only: amounts are floats rounded by the
caller's currency ``rounding`` (1.0 for CLP, 0.01 for USD)."""

from datetime import date, timedelta

from odoo.tools.float_utils import float_compare, float_round

OPEN, KEPT, PARTIAL, BROKEN, SETTLED = "open", "kept", "partial", "broken", "settled"


def promise_state(promised, paid, deadline, today, rounding, settled=False):
    """State of an open promise of ``promised`` when ``paid`` has been paid on its invoices by
    ``deadline`` (the promised date plus grace), seen on ``today``.

    Fully paid is kept at once, even before the date. Not fully paid but ``settled`` (its invoices
    owe nothing any more: a credit note or a write-off settled the rest) is settled at once,
    neither kept nor broken. Otherwise, until the deadline has passed a promise stays open;
    afterwards it is partially kept when something was paid, else broken.
    """
    if not isinstance(deadline, date) or not isinstance(today, date):
        raise TypeError("deadline and today must be dates")
    if float_compare(promised, 0.0, precision_rounding=rounding) <= 0:
        raise ValueError("a promise must be for a positive amount")
    if float_compare(paid, promised, precision_rounding=rounding) >= 0:
        return KEPT
    if settled:
        return SETTLED
    if today <= deadline:
        return OPEN
    if float_compare(paid, 0.0, precision_rounding=rounding) > 0:
        return PARTIAL
    return BROKEN


def split_amount(total, count, rounding):
    """Split ``total`` into ``count`` instalments rounded to ``rounding``; what rounding leaves
    over goes on the last one, so they always add up to ``total``."""
    if count < 1:
        raise ValueError("at least one instalment")
    if float_compare(total, 0.0, precision_rounding=rounding) <= 0:
        raise ValueError("the total must be positive")
    total = float_round(total, precision_rounding=rounding)
    share = float_round(total / count, precision_rounding=rounding, rounding_method="DOWN")
    amounts = [share] * (count - 1)
    amounts.append(float_round(total - share * (count - 1), precision_rounding=rounding))
    return amounts


def instalment_dates(first, count, interval_days):
    """The ``count`` dates of a plan: ``first`` and then every ``interval_days`` days."""
    if interval_days < 1:
        raise ValueError("the interval must be at least one day")
    return [first + timedelta(days=interval_days * index) for index in range(count)]


def plan_paid(amounts, cumulative_paid):
    """What each instalment of a plan has received, instalments taken in date order.

    ``amounts`` are the instalments; ``cumulative_paid[k]`` is what was paid on the plan's invoices
    from the plan's start until instalment k's deadline. Money pays the earlier instalments first;
    the last instalment keeps any overpayment.
    """
    if len(amounts) != len(cumulative_paid):
        raise ValueError("one cumulative figure per instalment")
    paid = []
    before = 0.0
    for index, (amount, cumulative) in enumerate(zip(amounts, cumulative_paid, strict=True)):
        share = max(0.0, cumulative - before)
        paid.append(share if index == len(amounts) - 1 else min(share, amount))
        before += amount
    return paid


def allocate(amounts, residuals, rounding):
    """Spread instalment ``amounts`` over invoices with ``residuals`` (oldest first), each invoice
    filled before the next. Return, per instalment, a list of (invoice index, amount)."""
    total_due = sum(residuals)
    if float_compare(sum(amounts), total_due, precision_rounding=rounding) > 0:
        raise ValueError("the instalments add up to more than is due")
    left = list(residuals)
    index = 0
    result = []
    for amount in amounts:
        parts = []
        remaining = amount
        while float_compare(remaining, 0.0, precision_rounding=rounding) > 0:
            while float_compare(left[index], 0.0, precision_rounding=rounding) <= 0:
                index += 1
            part = float_round(min(remaining, left[index]), precision_rounding=rounding)
            parts.append((index, part))
            left[index] -= part
            remaining = float_round(remaining - part, precision_rounding=rounding)
        result.append(parts)
    return result


def outstanding(promised, paid_since, rounding):
    """What the open promises on one invoice still claim of it: ``promised`` (their amounts on
    it) less ``paid_since`` (money paid on it since the earliest of them was made), never below
    zero. Money pays the earliest promise first, so this is what is still to come."""
    return max(0.0, float_round(promised - paid_since, precision_rounding=rounding))


def available(residual, promised, paid_since, rounding):
    """What may still be promised on an invoice owing ``residual`` while open promises claim
    ``promised`` of it, ``paid_since`` of which is already paid: never below zero."""
    return max(
        0.0, float_round(residual - outstanding(promised, paid_since, rounding), precision_rounding=rounding)
    )
