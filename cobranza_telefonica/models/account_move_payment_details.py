from odoo import models
from odoo.tools import format_amount


# Kept apart from the main class so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class AccountMove(models.Model):
    _inherit = "account.move"

    def _cobranza_payment_details(self):
        """What the payment details e-mail (sent from the call screen) says: the oldest documents
        and how many more there are and what they owe (as the call screen lists them), the
        customer's totals from its receivable figure in this document's company and its transfer
        data."""
        self.ensure_one()
        company = self.company_id
        figure = self.commercial_partner_id._cobranza_figure(company)
        # The call screen's own split of the documents: the oldest listed, the rest summed up.
        rows = self._cobranza_mail_moves()._cobranza_call_rows(company)
        return {
            "moves": self.browse([move.id for move, _days in rows["invoices"]]),
            "more_count": rows["more_count"],
            "more_amount": rows["format_amount"](rows["more_amount"]),
            "total_due": format_amount(self.env, max(figure.balance, 0.0), company.currency_id),
            "total_overdue": format_amount(self.env, figure.collectible, company.currency_id),
            "transfer": company._cobranza_transfer_data(),
        }

    def _cobranza_payment_details_recipient(self):
        """Who receives the payment details: the document's contact when it has an e-mail, else
        the customer, else the customer's invoice address (empty when nobody has an e-mail)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        candidates = (
            self.partner_id | partner | partner.child_ids.filtered(lambda child: child.type == "invoice")
        )
        return candidates.filtered("email")[:1]
