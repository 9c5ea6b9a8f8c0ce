from odoo import api, models


class ReportCobranzaLetter(models.AbstractModel):
    """Values of the collection letter: one letter per customer (commercial entity) and company
    of the documents printed, listing every overdue open document of that customer instalment by
    instalment from the aging view, with the overdue total of the receivable figure."""

    _name = "report.cobranza_telefonica.report_cobranza_letter"
    _description = "Collection letter"

    @api.model
    def _letter_values(self, partner, company, moves):
        """One letter: ``moves`` are the printed documents of ``partner`` in ``company``."""
        partner = partner.commercial_partner_id
        lines = (
            self.env["cobranza.aging.report"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("is_credit", "=", False),
                    ("days_overdue", ">", 0),
                ],
                order="date_due, id",
            )
        )
        figure = self.env["cobranza.receivable"]._cobranza_figure(partner, company)
        link = moves[:1]._cobranza_portal_link()
        return {
            "partner": partner,
            "company": company,
            "moves": moves,
            "lines": lines,
            "total": figure.overdue,
            "credit": figure.credit,
            "collectible": figure.collectible,
            "currency": company.currency_id,
            "link": link,
            "qr": moves[:1]._cobranza_portal_qr(link),
            **self.env["cobranza.printout"]._printout_values(partner, company),
        }

    @api.model
    def _get_report_values(self, docids, data=None):
        moves = self.env["account.move"].browse(docids)
        groups = {}
        for move in moves:
            groups.setdefault((move.commercial_partner_id, move.company_id), self.env["account.move"])
            groups[move.commercial_partner_id, move.company_id] |= move
        return {
            "doc_ids": docids,
            "doc_model": "account.move",
            "docs": moves,
            "letters": [
                self._letter_values(partner, company, group) for (partner, company), group in groups.items()
            ],
        }
