"""Links a collector sends from the call screen: WhatsApp's click-to-chat (no ORM)."""

import re
from urllib.parse import quote

CHILE_PREFIX = "56"
_NOT_DIGIT = re.compile(r"\D")


def whatsapp_number(phone):
    """The digits WhatsApp wants (country code first, no "+") of a Chilean mobile written in any
    usual way ("+56 9 8765 4321", "9 8765 4321", "0056987654321"), or None when ``phone`` is not
    a Chilean mobile (a landline, too short, empty). A number with another country code ("+54 …")
    is kept as written when it has 8 to 15 digits."""
    text = (phone or "").strip()
    digits = _NOT_DIGIT.sub("", text)
    if digits.startswith("00"):
        digits, text = digits[2:], "+" + digits[2:]
    if text.startswith("+") and not digits.startswith(CHILE_PREFIX):
        return digits if 8 <= len(digits) <= 15 else None
    if len(digits) == 11 and digits.startswith(CHILE_PREFIX):
        digits = digits[2:]
    if len(digits) != 9 or not digits.startswith("9"):
        return None
    return CHILE_PREFIX + digits


def whatsapp_url(number, text):
    """The click-to-chat link that opens a chat with ``number`` (digits) and ``text`` prefilled."""
    return f"https://wa.me/{number}?text={quote(text, safe='')}"


# Written in Spanish: it goes to Chilean customers whatever the collector's language.
WHATSAPP_TEXT = (
    "Hola, le escribe {collector} de {company}. Su deuda vencida es de {amount}. "
    "Puede ver sus documentos y pagar en su página de cobranza: {link}"
)


def whatsapp_text(collector, company, amount, link):
    """The message prefilled in the WhatsApp chat (``amount`` already formatted)."""
    return WHATSAPP_TEXT.format(collector=collector, company=company, amount=amount, link=link)
