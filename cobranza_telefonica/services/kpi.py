"""Collection KPIs and the customer risk segment: plain arithmetic the models feed with figures,
and the calendar periods (complete months, month to date) the dashboard measures them over."""

from datetime import date, timedelta

# Risk segment thresholds: (max average days late, max overdue ratio, min promise kept ratio).
SEGMENT_A = (5.0, 0.10, 0.90)
SEGMENT_C = (30.0, 0.50, 0.50)
RISK_SEGMENTS = (("A", "A - Low risk"), ("B", "B - Medium risk"), ("C", "C - High risk"))


def month_start(day):
    """The first day of ``day``'s month."""
    if not isinstance(day, date):
        raise TypeError("day must be a date")
    return day.replace(day=1)


def previous_month(day):
    """(first day, last day) of the complete month before ``day``'s month."""
    last = month_start(day) - timedelta(days=1)
    return last.replace(day=1), last


def month_ends_before(day, count=12):
    """The last days of the ``count`` complete months before ``day``'s month, oldest first:
    on 2026-03-16 with count 2, [2026-01-31, 2026-02-28]."""
    if count < 0:
        raise ValueError("count must be zero or positive")
    ends = []
    end = month_start(day) - timedelta(days=1)
    for _index in range(count):
        ends.append(end)
        end = end.replace(day=1) - timedelta(days=1)
    return ends[::-1]


def complete_months(day, months=3):
    """(first day, last day, number of days) of the ``months`` complete months before ``day``'s
    month: the window DSO is measured over (on 2026-03-16, 2025-12-01 to 2026-02-28, 90 days)."""
    if months < 1:
        raise ValueError("months must be at least 1")
    first = month_start(day)
    last = first - timedelta(days=1)
    for _index in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, last, (last - first).days + 1


def dso(receivable, credit_sales, days=90):
    """Days Sales Outstanding: ``receivable`` at the end of a window over the ``credit_sales`` of
    that window, times its length in ``days``. None when there were no sales (the ratio means
    nothing)."""
    if days <= 0:
        raise ValueError("days must be positive")
    if credit_sales <= 0:
        return None
    return receivable / credit_sales * days


def cei(opening_receivable, credit_sales, closing_receivable, closing_current):
    """Collection Effectiveness Index in percent for one period:
    (opening + sales - closing) / (opening + sales - closing not yet due) x 100.
    None when nothing was collectable (the denominator is zero or negative)."""
    collectable = opening_receivable + credit_sales - closing_current
    if collectable <= 0:
        return None
    return (opening_receivable + credit_sales - closing_receivable) / collectable * 100.0


def overdue_ratio(overdue, receivable):
    """Share (0-1) of the receivable that is past due; 0 when nothing is owed."""
    if receivable <= 0:
        return 0.0
    return max(0.0, min(1.0, overdue / receivable))


def risk_segment(avg_days_late, overdue_ratio, promise_kept_ratio=None):
    """Risk segment of a customer: 'A' (pays on time, little overdue, keeps promises),
    'C' (pays a month late, or half its debt is overdue, or breaks half its promises), else 'B'.
    ``avg_days_late`` None (no payment history) counts as 0; ``promise_kept_ratio`` None (no
    promises yet) does not count at all."""
    days = avg_days_late or 0.0
    if days < 0 or not 0 <= overdue_ratio <= 1:
        raise ValueError("days late must be >= 0 and the overdue ratio between 0 and 1")
    if promise_kept_ratio is not None and not 0 <= promise_kept_ratio <= 1:
        raise ValueError("the promise kept ratio must be between 0 and 1")
    max_days_c, max_ratio_c, min_kept_c = SEGMENT_C
    if (
        days > max_days_c
        or overdue_ratio > max_ratio_c
        or (promise_kept_ratio is not None and promise_kept_ratio < min_kept_c)
    ):
        return "C"
    max_days_a, max_ratio_a, min_kept_a = SEGMENT_A
    if (
        days <= max_days_a
        and overdue_ratio <= max_ratio_a
        and (promise_kept_ratio is None or promise_kept_ratio >= min_kept_a)
    ):
        return "A"
    return "B"
