"""Receivable aging buckets: which bucket an amount falls in, by days past its due date."""

from datetime import date

# (key, label, first day overdue, last day overdue); None means open-ended.
BUCKETS = (
    ("not_due", "Not yet due", None, 0),
    ("1_30", "1-30 days", 1, 30),
    ("31_60", "31-60 days", 31, 60),
    ("61_90", "61-90 days", 61, 90),
    ("91_120", "91-120 days", 91, 120),
    ("over_120", "Over 120 days", 121, None),
)
BUCKET_KEYS = tuple(bucket[0] for bucket in BUCKETS)


def days_overdue(due_date, as_of):
    """Days ``as_of`` is past ``due_date``; zero or negative when not yet due."""
    if not isinstance(due_date, date) or not isinstance(as_of, date):
        raise TypeError("due_date and as_of must be dates")
    return (as_of - due_date).days


def bucket_for_days(days):
    """Return the bucket key for a number of days overdue (<= 0 is 'not_due')."""
    for key, _label, first, last in BUCKETS:
        if (first is None or days >= first) and (last is None or days <= last):
            return key
    raise ValueError(days)  # pragma: no cover - the buckets cover every integer


def bucket_for_date(due_date, as_of):
    """Return the bucket key of an amount due on ``due_date``, seen on ``as_of``."""
    return bucket_for_days(days_overdue(due_date, as_of))
