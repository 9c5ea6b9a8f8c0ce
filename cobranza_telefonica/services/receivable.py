"""A customer's receivable figure in one company: the one set of amounts every screen, message,
report and KPI shows. Built from the open receivable journal items (the aging view), grouped by
customer, company, currency, kind (instalment or unapplied credit) and overdue or not.

Plain Python, no ORM: ``cobranza.receivable`` runs the query and hands the rows to ``build``.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


def _round(amount, digits):
    """Round like a currency with ``digits`` decimals (half away from zero, as Odoo's float_round)."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(str(amount)).quantize(quantum, rounding=ROUND_HALF_UP))


@dataclass
class Amounts:
    """Open instalments, unapplied credits (zero or negative) and the instalments past due."""

    open: float = 0.0
    credit: float = 0.0
    overdue: float = 0.0

    @property
    def balance(self):
        """What the customer owes, net of its unapplied payments and credit notes."""
        return self.open + self.credit

    def add(self, amount, is_credit, overdue):
        if is_credit:
            self.credit += amount
        else:
            self.open += amount
            if overdue:
                self.overdue += amount

    def rounded(self, digits):
        return Amounts(_round(self.open, digits), _round(self.credit, digits), _round(self.overdue, digits))


@dataclass
class Figure:
    """One customer in one company. ``company`` amounts are in company currency;
    ``currencies`` holds the same amounts per document currency, in that currency."""

    partner_id: int
    company_id: int
    company: Amounts = field(default_factory=Amounts)
    currencies: dict = field(default_factory=dict)  # currency id -> Amounts
    oldest_overdue: date | None = None  # due date of the oldest instalment past due
    oldest_open: date | None = None  # due date of the oldest open instalment

    @property
    def balance(self):
        return self.company.balance

    @property
    def overdue(self):
        return self.company.overdue

    @property
    def credit(self):
        return self.company.credit

    @property
    def collectible(self):
        """What may be asked for now: the overdue instalments, less the credits that would settle
        them (never below zero)."""
        return max(0.0, min(self.company.overdue, self.company.balance))

    @property
    def dunnable(self):
        """A customer whose balance is zero or less owes nothing: it is never dunned."""
        return self.company.balance > 0 and self.company.overdue > 0

    def days_overdue(self, today):
        """Days since the oldest open instalment fell due (0 when none is overdue)."""
        if not self.oldest_overdue:
            return 0
        return max((today - self.oldest_overdue).days, 0)


def _earliest(current, candidate):
    if candidate is None:
        return current
    return candidate if current is None else min(current, candidate)


def build(rows, digits):
    """{(partner id, company id): Figure} from grouped rows (partner id, company id, currency id,
    is credit, is overdue, residual in company currency, residual in document currency, earliest
    due date), ``digits`` being {currency id: decimal places} of every currency in the rows and of
    the companies' currencies (``company_digits`` key ``("company", company id)``)."""
    figures = {}
    for partner_id, company_id, currency_id, is_credit, overdue, residual, residual_currency, due in rows:
        figure = figures.get((partner_id, company_id))
        if figure is None:
            figure = figures[(partner_id, company_id)] = Figure(partner_id, company_id)
        figure.company.add(float(residual or 0), is_credit, overdue)
        amounts = figure.currencies.setdefault(currency_id, Amounts())
        amounts.add(float(residual_currency or 0), is_credit, overdue)
        if not is_credit:
            figure.oldest_open = _earliest(figure.oldest_open, due)
            if overdue:
                figure.oldest_overdue = _earliest(figure.oldest_overdue, due)
    for (_partner_id, company_id), figure in figures.items():
        figure.company = figure.company.rounded(digits[("company", company_id)])
        figure.currencies = {
            currency_id: amounts.rounded(digits[currency_id])
            for currency_id, amounts in figure.currencies.items()
        }
    return figures
