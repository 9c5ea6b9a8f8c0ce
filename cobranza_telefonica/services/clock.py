"""The module's one clock: every "now" and "today" of collection is read from here.

``now()`` is the current moment in UTC as a naive datetime (Odoo's convention). Tests set it
with ``frozen_at(moment)``, which also holds for the requests a browser tour makes to the
server of the same process (freezegun's ``freeze_time`` is honoured as well).
"""

from contextlib import contextmanager
from datetime import datetime, timezone

_frozen = []


def now():
    """The current moment, UTC, naive, to the second."""
    if _frozen:
        return _frozen[-1]
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


@contextmanager
def frozen_at(moment):
    """Within the block, ``now()`` answers ``moment`` (UTC, naive)."""
    _frozen.append(moment.replace(microsecond=0))
    try:
        yield moment
    finally:
        _frozen.pop()
