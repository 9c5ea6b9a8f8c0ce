"""Chilean RUT (Rol Único Tributario): check digit, validation and formatting."""

import re

_CLEAN = re.compile(r"[^0-9kK]")


def check_digit(number):
    """Return the SII check digit ('0'-'9' or 'K') of the RUT body ``number`` (an int)."""
    total = 0
    factor = 2
    for digit in reversed(str(int(number))):
        total += int(digit) * factor
        factor = 2 if factor == 7 else factor + 1
    rest = 11 - total % 11
    return {11: "0", 10: "K"}.get(rest, str(rest))


def split(rut):
    """Split a RUT in any usual spelling ('76.086.428-5', 'CL760864285') into (body, digit)."""
    text = (rut or "").upper().removeprefix("CL")
    clean = _CLEAN.sub("", text)
    if len(clean) < 2 or not clean[:-1].isdigit():
        return None, None
    return int(clean[:-1]), clean[-1]


def is_valid(rut):
    """True when ``rut`` is well formed and its check digit is right."""
    body, digit = split(rut)
    return body is not None and body > 0 and check_digit(body) == digit


def format_rut(number):
    """Format a RUT body as the SII prints it: '76.086.428-5'."""
    return f"{int(number):,}".replace(",", ".") + "-" + check_digit(number)


def display(rut):
    """``rut`` as printed on documents ('77.340.975-7') when it is a valid RUT in any usual
    spelling ('77340975-7', 'CL773409757'); anything else unchanged (a foreign tax id)."""
    if not is_valid(rut):
        return rut or ""
    body, _digit = split(rut)
    return format_rut(body)
