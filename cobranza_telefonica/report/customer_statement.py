from odoo import api, models

from ..services.aging import BUCKETS


class ReportCustomerStatement(models.AbstractModel):
    """Values of the customer statement: each customer's open documents of the current company
    (every one of them, whoever collects it: the customer gets the whole account) from the aging
    view, its aging summary and its totals, which are the receivable figure; with what every
    printed document says (cobranza.printout: RUT, address, bank accounts, contact, promises)."""

    _name = "report.cobranza_telefonica.report_customer_statement"
    _description = "Customer statement"

    @api.model
    def _statement_values(self, partner):
        partner = partner.commercial_partner_id
        company = self.env.company
        lines = (
            self.env["cobranza.aging.report"]
            .sudo()
            .search([("partner_id", "=", partner.id), ("company_id", "=", company.id)], order="date_due, id")
        )
        figure = partner._cobranza_figure(company)
        currency = company.currency_id
        buckets = [
            (
                key,
                label,
                currency.round(sum(lines.filtered(lambda line, k=key: line.bucket == k).mapped("residual"))),
            )
            for key, label, *_rest in BUCKETS
        ]
        partner_env = self.with_context(lang=partner.lang or self.env.lang).env
        labels = dict(self.env["cobranza.aging.report"]._fields["bucket"]._description_selection(partner_env))
        lines.move_id._cobranza_ensure_access_tokens()
        return {
            "partner": partner,
            "lines": lines,
            "buckets": [(key, labels[key], amount) for key, _label, amount in buckets],
            "total": figure.balance,
            "overdue": figure.overdue,
            "credit": figure.credit,
            "currency": currency,
            "payment_urls": {
                move.id: move.get_base_url() + move.get_portal_url()
                for move in lines.move_id
                if move.is_invoice(include_receipts=True)
            },
            **self.env["cobranza.printout"]._printout_values(partner, company),
        }

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": self.env.company,
            "statements": {partner.id: self._statement_values(partner) for partner in partners},
        }
