"""Checks of what users type before it reaches the database: amounts that are real numbers of a
sensible size, text PostgreSQL accepts (no NUL), numbers given to a search. No ORM."""

import math
from decimal import Decimal

# Far above any real receivable (a thousand billion CLP is 1e12), far below where floats lose units.
AMOUNT_LIMIT = 1e15

# What the searches on computed numbers (amount overdue, days overdue) understand.
SEARCH_OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "not in")


def is_sane_amount(value, limit=AMOUNT_LIMIT):
    """True when ``value`` is a number (int, float or Decimal; not a bool, a string or None) that
    is finite and whose absolute value is below ``limit``. False for NaN, ±Infinity and 1e308."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        return False
    return math.isfinite(number) and abs(number) < limit


def bad_amount_field(vals, fields, limit=AMOUNT_LIMIT):
    """The first of ``fields`` whose value in ``vals`` (create/write values) is not a sane amount,
    else None. Empty values (False, None) are fine: the ORM stores them as 0; so are numeric
    strings such as "1500" (the ORM converts them)."""
    for name in fields:
        if name not in vals or vals[name] is None or vals[name] is False:
            continue
        value = vals[name]
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return name
        if not is_sane_amount(value, limit):
            return name
    return None


def strip_nul(text):
    """``text`` without NUL characters (PostgreSQL refuses them in text columns); anything that
    is not a string (False, None) comes back unchanged."""
    if isinstance(text, str) and "\x00" in text:
        return text.replace("\x00", "")
    return text


def strip_nul_vals(vals, fields):
    """``vals`` (create/write values) with the NUL characters removed from ``fields``; a copy
    when something changed, ``vals`` itself otherwise."""
    if not any(isinstance(vals.get(name), str) and "\x00" in vals[name] for name in fields):
        return vals
    return {**vals, **{name: strip_nul(vals[name]) for name in fields if name in vals}}


def to_number(value):
    """A search value as a number: ints and finite floats as they are, numeric strings (" 10 ",
    "1.5") converted, False and None as 0. Raises ValueError for anything else (True, "abc",
    NaN, infinities, lists)."""
    if value is None or value is False:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"not a number: {value!r}") from None
    if isinstance(value, float | Decimal) and math.isfinite(value):
        return float(value)
    raise ValueError(f"not a finite number: {value!r}")


def search_numbers(operator, value):
    """Normalise the right-hand side of a search on a computed number: ``(operator, number)``, or
    ``(operator, tuple of numbers)`` for ``in`` / ``not in`` (``=`` / ``!=`` with a list become
    those). Raises ValueError for an operator outside SEARCH_OPERATORS or a value that is not a
    number (see to_number)."""
    if operator not in SEARCH_OPERATORS:
        raise ValueError(f"unsupported operator: {operator!r}")
    many = isinstance(value, list | tuple | set | frozenset)
    if operator in ("=", "!=") and many:
        operator = "in" if operator == "=" else "not in"
    if operator in ("in", "not in"):
        return operator, tuple(to_number(item) for item in (value if many else [value]))
    if many:
        raise ValueError(f"{operator} needs one number, not {value!r}")
    return operator, to_number(value)


def number_predicate(operator, value):
    """A function number -> bool telling whether ``number OPERATOR value`` holds, for the
    normalised (operator, value) of search_numbers."""
    if operator == "in":
        return lambda number: number in value
    if operator == "not in":
        return lambda number: number not in value
    return {
        "=": lambda number: number == value,
        "!=": lambda number: number != value,
        "<": lambda number: number < value,
        "<=": lambda number: number <= value,
        ">": lambda number: number > value,
        ">=": lambda number: number >= value,
    }[operator]
