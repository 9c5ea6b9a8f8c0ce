"""Contact guardrails (Chile's Ley 21.320 for consumer debtors), with no ORM.

Everything works on naive datetimes in the company's local time. A rule set says how often a
debtor may be called or written to and when; ``check`` answers whether a contact is allowed at a
moment, why not, and the next moment it would be.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

# Channel -> kind of contact the limits count.
CHANNEL_KIND = {
    "call": "call",
    "visit": "call",
    "email": "message",
    "sms": "message",
    "whatsapp": "message",
    "letter": "letter",
}
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Rules:
    """Limits for one company and debtor type. A limit of 0 means no limit."""

    enabled: bool = True
    max_calls_per_week: int = 1
    max_messages_per_week: int = 2
    min_days_between_messages: int = 2
    hour_from: float = 8.0
    hour_to: float = 20.0
    weekdays: frozenset = field(default_factory=lambda: frozenset(range(6)))  # Monday=0 .. Saturday=5
    skip_holidays: bool = True


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "" when allowed; else one of REASONS
    next_allowed: datetime


REASONS = {
    "weekday": "Contacts are not allowed on this day of the week",
    "holiday": "Public holiday",
    "hours": "Outside the allowed hours",
    "calls_week": "Weekly limit of calls or visits reached",
    "messages_week": "Weekly limit of messages reached",
    "messages_gap": "Too soon after the previous message",
}


def _hour_to_time(hours):
    hours = max(0.0, min(float(hours), 24.0))
    if hours >= 24.0:
        return time.max
    whole = int(hours)
    return time(whole, round((hours - whole) * 60) % 60)


def _window_reason(moment, rules, holidays):
    """Why ``moment`` is outside the allowed days and hours, or ""."""
    if moment.weekday() not in rules.weekdays:
        return "weekday"
    if rules.skip_holidays and moment.date() in holidays:
        return "holiday"
    if not (_hour_to_time(rules.hour_from) <= moment.time() < _hour_to_time(rules.hour_to)):
        return "hours"
    return ""


def _next_window_start(moment, rules, holidays):
    """The first moment at or after ``moment`` inside the allowed days and hours."""
    start, end = _hour_to_time(rules.hour_from), _hour_to_time(rules.hour_to)
    if start >= end or not rules.weekdays:
        raise ValueError("The allowed hours or days are empty")
    candidate = moment
    for _i in range(800):
        day_ok = candidate.weekday() in rules.weekdays and not (
            rules.skip_holidays and candidate.date() in holidays
        )
        if day_ok and candidate.time() < start:
            return datetime.combine(candidate.date(), start)
        if day_ok and candidate.time() < end:
            return candidate
        candidate = datetime.combine(candidate.date() + timedelta(days=1), start)
    raise ValueError("No allowed day found")  # pragma: no cover - holidays cover two years at most


def _frequency_reason(kind, moment, rules, history):
    """(reason, earliest moment the frequency limits allow) for a contact of ``kind`` at ``moment``."""
    history = sorted(history)
    if kind == "call" and rules.max_calls_per_week:
        recent = [past for past in history if moment - WEEK < past <= moment]
        if len(recent) >= rules.max_calls_per_week:
            return "calls_week", recent[len(recent) - rules.max_calls_per_week] + WEEK
    if kind == "message":
        if rules.min_days_between_messages:
            gap = timedelta(days=rules.min_days_between_messages)
            before = [past for past in history if past <= moment]
            if before and moment - before[-1] < gap:
                return "messages_gap", before[-1] + gap
        if rules.max_messages_per_week:
            recent = [past for past in history if moment - WEEK < past <= moment]
            if len(recent) >= rules.max_messages_per_week:
                return "messages_week", recent[len(recent) - rules.max_messages_per_week] + WEEK
    return "", moment


def check(channel, moment, rules, history=(), holidays=frozenset()):
    """May the debtor be contacted through ``channel`` at ``moment`` (local, naive)?

    ``history`` holds the local moments of the debtor's past contacts of the same kind (calls and
    visits together; e-mails, SMS and WhatsApp together); ``holidays`` a set of dates. Returns a
    Decision whose ``next_allowed`` is ``moment`` itself when allowed.
    """
    kind = CHANNEL_KIND.get(channel)
    if kind is None:
        raise ValueError(f"Unknown channel {channel!r}")
    if not rules.enabled or kind == "letter":
        return Decision(True, "", moment)
    holidays = frozenset(holidays)
    first_reason = ""
    candidate = moment
    for _i in range(100):
        reason = _window_reason(candidate, rules, holidays)
        if reason:
            candidate = _next_window_start(candidate, rules, holidays)
        else:
            reason, earliest = _frequency_reason(kind, candidate, rules, history)
            if reason:
                candidate = earliest
        first_reason = first_reason or reason
        if not reason:
            return Decision(candidate == moment, first_reason, candidate)
    raise ValueError("No allowed moment found")  # pragma: no cover
