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
