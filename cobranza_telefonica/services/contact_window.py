"""When a collection call may be made: Monday to Saturday 08:00-20:00 local time, never Sunday.

Plain Python: takes and returns naive local datetimes (the caller converts from and to the
company's time zone)."""

from datetime import datetime, time, timedelta

OPEN = time(8, 0)
CLOSE = time(20, 0)
SUNDAY = 6


def next_allowed(local_dt):
    """The first moment at or after ``local_dt`` when a call is allowed."""
    day = local_dt.date()
    if local_dt.weekday() != SUNDAY and OPEN <= local_dt.time() < CLOSE:
        return local_dt
    if local_dt.weekday() != SUNDAY and local_dt.time() < OPEN:
        return datetime.combine(day, OPEN)
    day += timedelta(days=1)
    while day.weekday() == SUNDAY:
        day += timedelta(days=1)
    return datetime.combine(day, OPEN)


def blocked_reason(local_dt):
    """Return (reason key, next allowed local datetime) when a call at ``local_dt`` is not
    allowed, else (False, False). Reason keys: 'sunday', 'hours'."""
    if local_dt.weekday() == SUNDAY:
        return "sunday", next_allowed(local_dt)
    if not OPEN <= local_dt.time() < CLOSE:
        return "hours", next_allowed(local_dt)
    return False, False
