"""Call script placeholders: which exist, which a text uses, and the text rendered as HTML.

Plain Python with no ORM: the values come in as a dict of strings (or lists of strings for
``{invoices}``), already formatted by the caller; everything is HTML-escaped here.
"""

import html
import re

PLACEHOLDERS = (
    "customer",
    "contact",
    "total_due",
    "total_overdue",
    "oldest_due_date",
    "invoices",
    "days_overdue",
    "payment_link",
    "bank_account",
    "collector",
    "company",
    "discount_offer",
    "pay_to",
    "greeting",
)


def greeting_kind(hour):
    """Which greeting fits ``hour`` (0-23, local time): morning until noon, afternoon until
    20:00 (the end of the legal calling hours), evening after."""
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 20:
        return "afternoon"
    return "evening"


_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def braced(names):
    """``names`` written as placeholders: "{customer}, {total_due}"."""
    return ", ".join("{" + name + "}" for name in names)


def placeholders_in(text):
    """The placeholder names ``text`` uses, in order of first appearance."""
    seen = []
    for name in _PLACEHOLDER_RE.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def unknown_placeholders(text):
    """The placeholder names of ``text`` that are not in PLACEHOLDERS."""
    return [name for name in placeholders_in(text) if name not in PLACEHOLDERS]


def _render_value(value):
    if isinstance(value, list | tuple):
        if not value:
            return ""
        return "<ul>" + "".join(f"<li>{html.escape(str(item))}</li>" for item in value) + "</ul>"
    return html.escape("" if value is None else str(value))


def render(text, values):
    """Return ``text`` as safe HTML with each known ``{placeholder}`` replaced by its escaped
    value (a missing value renders empty); line breaks become ``<br/>``. Unknown placeholders are
    left as typed, so a preview shows the mistake instead of hiding it."""
    parts = []
    position = 0
    for match in _PLACEHOLDER_RE.finditer(text or ""):
        parts.append(html.escape(text[position : match.start()]))
        name = match.group(1)
        if name in PLACEHOLDERS:
            parts.append(_render_value(values.get(name)))
        else:
            parts.append(html.escape(match.group(0)))
        position = match.end()
    parts.append(html.escape((text or "")[position:]))
    return "".join(parts).replace("\n", "<br/>")
