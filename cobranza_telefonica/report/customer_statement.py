from odoo import api, models

from ..services.aging import BUCKETS


class ReportCustomerStatement(models.AbstractModel):
    """Values of the customer statement: each customer's open documents of the current company
    (from the aging view, so a collector prints only what they may see) and its aging summary."""

    _name = "report.cobranza_telefonica.report_customer_statement"
    _description = "Customer statement"

    @api.model
    def _statement_values(self, partner):
        partner = partner.commercial_partner_id
        lines = self.env["cobranza.aging.report"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)], order="date_due, id"
        )
        currency = self.env.company.currency_id
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
        return {
            "partner": partner,
            "lines": lines,
            "buckets": [(key, labels[key], amount) for key, _label, amount in buckets],
            "total": currency.round(sum(lines.mapped("residual"))),
            "overdue": currency.round(sum(lines.mapped("amount_overdue"))),
            "currency": currency,
            "payment_urls": {
                move.id: move.get_base_url() + move.get_portal_url()
                for move in lines.move_id
                if move.is_invoice(include_receipts=True)
            },
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
