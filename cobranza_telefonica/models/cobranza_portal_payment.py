from urllib.parse import urlencode

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from odoo.addons.payment import utils as payment_utils


# Kept apart from the main class so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class CobranzaPortal(models.AbstractModel):
    """Online payment from the collection page: the documents chosen are checked here, the
    amount is what the receivable figure says they still owe, and Odoo's own payment flow
    (``/payment/pay``, a ``payment.transaction`` on the invoices) takes the payment."""

    _inherit = "cobranza.portal"

    @api.model
    def _cobranza_pay_values(self, partner, move_ids):
        """{moves, company, currency, amount, key} of paying ``move_ids`` (posted text or ints)
        in full: only the customer's own open invoices of one company and one currency; the
        amount is their open instalments from the receivable figure, in their currency."""
        partner = partner.commercial_partner_id
        moves = self._cobranza_open_moves(partner, move_ids)
        if len(moves.company_id) > 1:
            raise UserError(self.env._("Choose documents of one company only."))
        currency = moves._cobranza_one_currency("payment")
        instalments = self.env["cobranza.receivable"]._cobranza_instalments(moves)
        amount = currency.round(sum(row[1] for move in moves for row in instalments.get(move.id, [])))
        if currency.compare_amounts(amount, 0) <= 0:
            raise UserError(self.env._("Nothing is owed on the documents chosen."))
        return {
            "moves": moves,
            "company": moves.company_id,
            "currency": currency,
            "amount": amount,
            "key": "-".join(str(move_id) for move_id in sorted(moves.ids)),
        }

    @api.model
    def _cobranza_pay_token(self, partner, values):
        """The signature of one payment: this customer, these documents, this amount and currency
        (a document paid meanwhile or a changed amount makes it invalid)."""
        return payment_utils.generate_access_token(
            partner.commercial_partner_id.id, values["amount"], values["currency"].id, values["key"]
        )

    @api.model
    def _cobranza_pay_url(self, partner, move_ids, page_token=None):
        """Where the pay form sends the customer: Odoo's payment page for the amount owed on the
        documents chosen, its payment options those of the documents' company."""
        partner = partner.commercial_partner_id
        values = self._cobranza_pay_values(partner, move_ids)
        folios = ", ".join(move.l10n_latam_document_number or move.name for move in values["moves"])
        query = {
            "reference": folios,
            "amount": values["amount"],
            "currency_id": values["currency"].id,
            "partner_id": partner.id,
            "company_id": values["company"].id,
            "access_token": payment_utils.generate_access_token(
                partner.id, values["amount"], values["currency"].id
            ),
            "cobranza_partner_id": partner.id,
            "cobranza_moves": values["key"],
            "cobranza_token": self._cobranza_pay_token(partner, values),
        }
        if page_token:
            query["cobranza_page_token"] = page_token
        return f"/payment/pay?{urlencode(query)}"

    @api.model
    def _cobranza_portal_paid(self, transactions):
        """The payments confirmed of the collection page: each posted in the customer's chatter
        and logged as an inbound contact (channel portal), as the page's other actions are."""
        for tx in transactions:
            partner = tx.cobranza_partner_id
            env = self.with_context(lang=partner.lang or self.env.lang).env
            folios = ", ".join(move.l10n_latam_document_number or move.name for move in tx.invoice_ids)
            text = env._(
                "The customer paid %(amount)s online on its collection page (documents %(folios)s, "
                "payment %(payment)s).",
                amount=format_amount(env, tx.amount, tx.currency_id),
                folios=folios,
                payment=tx.payment_id.name or tx.reference,
            )
            self.with_env(env)._cobranza_record(
                partner,
                tx.company_id,
                env._("Collection page: online payment"),
                text,
                tx.partner_id or partner,
            )

    @api.model
    def _cobranza_page_values(self, partner):
        """The page offers to pay online in each company that has a payment provider enabled."""
        values = super()._cobranza_page_values(partner)
        Provider = self.env["payment.provider"].sudo()
        for section in values["sections"]:
            section["can_pay"] = bool(
                Provider.search_count(
                    [("company_id", "=", section["company"].id), ("state", "in", ("enabled", "test"))],
                    limit=1,
                )
            )
        return values
