from odoo import api, models
from odoo.tools import SQL

from ..services import receivable


class CobranzaReceivable(models.AbstractModel):
    """The one receivable figure: what each customer (commercial entity) owes each company, from
    the open receivable journal items of the aging view (``cobranza.aging.report``), instalment
    by instalment, in company currency and in each document's currency, with its unapplied
    payments and credit notes shown and netted. The aging, the customer form and list, the
    queue, the call screen and its script, the e-mails, the letter, the statement, the dashboard
    and the risk segment read it here, so they agree to the peso."""

    _name = "cobranza.receivable"
    _description = "Receivable figures per customer and company"

    @api.model
    def _cobranza_figures(self, companies, partners=None):
        """{(commercial partner id, company id): services.receivable.Figure} for the customers of
        ``partners`` (every customer when None) in ``companies``, aged on each company's local
        today. Customers that owe nothing and have no unapplied credit are absent."""
        if not companies or (partners is not None and not partners):
            return {}
        report = self.env["cobranza.aging.report"]
        # The aging's own query, narrowed on indexed columns first (a payment's line may carry a
        # contact of the customer: the customer's contacts find it).
        condition = SQL("aml.company_id IN %s", tuple(companies.ids))
        if partners is not None:
            ids = tuple(partners.commercial_partner_id.ids)
            condition = SQL(
                "%s AND aml.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id IN %s)",
                condition,
                ids,
            )
        for model in ("account.move.line", "account.move", "account.account"):
            self.env[model].flush_model()
        self.env["res.partner"].flush_model(["commercial_partner_id", "tz"])
        self.env["res.company"]._cobranza_set_sql_clock()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT report.partner_id, report.company_id, report.currency_id, report.is_credit,
                       report.days_overdue > 0, SUM(report.residual), SUM(report.residual_currency),
                       MIN(report.date_due)
                  FROM (%(aging)s) report
                 WHERE report.partner_id IS NOT NULL %(partners)s
                 GROUP BY 1, 2, 3, 4, 5
                """,
                aging=report._live_aging_sql(condition),
                partners=SQL("AND report.partner_id IN %s", ids) if partners is not None else SQL(""),
            )
        )
        currencies = self.env["res.currency"].browse({row[2] for row in rows})
        digits = {currency.id: currency.decimal_places for currency in currencies}
        for company in companies:
            digits[("company", company.id)] = company.currency_id.decimal_places
        return receivable.build(rows, digits)

    @api.model
    def _cobranza_figure(self, partner, company):
        """The figure of one customer in one company (an empty one when it owes nothing)."""
        partner = partner.commercial_partner_id
        return self._cobranza_figures(company, partner).get(
            (partner.id, company.id), receivable.Figure(partner.id, company.id)
        )
