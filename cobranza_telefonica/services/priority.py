"""Order of the collector's queue: the priority score of a call and its parts."""

# A customer who pays late and breaks promises (segment C) is called before a punctual one
# owing the same amount for as long.
RISK_FACTORS = {"A": 1.0, "B": 1.5, "C": 2.0}


def risk_factor(segment=None):
    """Multiplier of the priority score for the customer's risk segment (A/B/C of the aging's
    payment behaviour); a customer not yet segmented weighs 1.0."""
    return RISK_FACTORS.get(segment, 1.0)


def priority_score(amount_overdue, days_overdue, risk=1.0):
    """Amount overdue x days overdue x risk; nothing overdue (or not yet due) scores 0."""
    if amount_overdue <= 0 or days_overdue <= 0:
        return 0.0
    return float(amount_overdue) * days_overdue * risk


def allocate(amount, residuals):
    """Split ``amount`` over invoices in the given order (oldest first), each taking at most its
    residual. Return the list of parts (same length as ``residuals``); raise ValueError when
    ``amount`` is not positive or exceeds the sum of the residuals."""
    if amount <= 0:
        raise ValueError("amount must be positive")
    if amount > sum(residuals) + 1e-9:
        raise ValueError("amount exceeds the residuals")
    parts = []
    left = amount
    for residual in residuals:
        part = min(left, residual) if left > 0 else 0
        parts.append(part)
        left -= part
    return parts


def instalments(amount, count, rounding_digits=0):
    """Split ``amount`` into ``count`` instalments rounded to ``rounding_digits`` decimals; the
    last instalment takes the rounding difference so the parts add up exactly."""
    if count < 1:
        raise ValueError("count must be at least 1")
    part = round(amount / count, rounding_digits)
    parts = [part] * (count - 1)
    parts.append(round(amount - part * (count - 1), rounding_digits))
    return parts
