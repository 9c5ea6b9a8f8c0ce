from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..services import contact_links

PAYMENT_DETAILS_TEMPLATE = "cobranza_telefonica.mail_template_cobranza_payment_details"


# Kept apart from the main class so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class ResPartner(models.Model):
    """What a collector sends a customer instead of reading it aloud (the call screen's buttons):
    the payment details by e-mail and a WhatsApp chat, each through the contact gate."""

    _inherit = "res.partner"

    def _cobranza_send_moves(self, company, moves):
        """The customer's open documents of ``company`` among ``moves``, oldest first; a Spanish
        error when none is left."""
        self.ensure_one()
        partner = self.commercial_partner_id
        moves = moves.filtered(
            lambda m: (
                m.commercial_partner_id == partner
                and m.company_id == company
                and m.move_type == "out_invoice"
                and m.state == "posted"
                and m.payment_state in ("not_paid", "partial")
            )
        )
        if not moves:
            raise UserError(
                self.env._("%(customer)s has no open documents to send.", customer=partner.display_name)
            )
        return moves._cobranza_oldest_first()

    def _cobranza_send_payment_details(self, company, moves):
        """E-mail this customer ``moves`` (its open documents), the link to its collection page and
        the transfer data of ``company``, once the contact gate allows an e-mail now (it logs it;
        refused, a UserError says why and nothing is sent). Returns the recipient."""
        partner = self.commercial_partner_id
        moves = partner._cobranza_send_moves(company, moves)
        record = moves[:1]
        recipient = record._cobranza_payment_details_recipient()
        if not recipient:
            raise UserError(
                self.env._(
                    "%(customer)s has no e-mail address: add one on the customer to send the "
                    "payment details.",
                    customer=partner.display_name,
                )
            )
        self.env["cobranza.contact.gate"].with_company(company)._cobranza_pass(
            partner,
            "email",
            company,
            origin=self.env._("Call screen: payment details"),
            note=moves._cobranza_dte_summary(),
        )
        # A collector reads invoices only: the module posts the e-mail on the oldest one, in
        # their name, as the follow-up run does.
        record.sudo().with_company(company).with_context(
            cobranza_mail_move_ids={record.id: moves.ids}
        ).message_post_with_source(self.env.ref(PAYMENT_DETAILS_TEMPLATE), subtype_xmlid="mail.mt_comment")
        return recipient

    def _cobranza_whatsapp_number(self):
        """The digits of the first Chilean mobile of this contact, its customer or the customer's
        contacts (mobile before phone); a Spanish error when there is none."""
        self.ensure_one()
        partner = self.commercial_partner_id
        for contact in self | partner | partner.child_ids:
            for phone in (contact.mobile, contact.phone):
                number = contact_links.whatsapp_number(phone)
                if number:
                    return number
        raise UserError(
            self.env._(
                "%(customer)s has no mobile phone for WhatsApp: add one on the customer.",
                customer=partner.display_name,
            )
        )

    def _cobranza_whatsapp_url(self, company):
        """The click-to-chat link to this customer: what may be asked for now in ``company`` (its
        receivable figure, overdue net of credits) and the link to its collection page."""
        partner = self.commercial_partner_id
        number = self._cobranza_whatsapp_number()
        figure = partner._cobranza_figure(company)
        text = contact_links.whatsapp_text(
            collector=self.env.user.name or "",
            company=company.name or "",
            amount=format_amount(self.env, max(figure.collectible, 0.0), company.currency_id),
            link=partner._cobranza_portal_url(company),
        )
        return contact_links.whatsapp_url(number, text)

    def _cobranza_open_whatsapp(self, company):
        """The WhatsApp chat with this customer, once the contact gate allows a message now
        (channel WhatsApp; it logs it; refused, a UserError says why and nothing is logged)."""
        url = self._cobranza_whatsapp_url(company)
        self.env["cobranza.contact.gate"].with_company(company)._cobranza_pass(
            self.commercial_partner_id, "whatsapp", company, origin=self.env._("Call screen: WhatsApp")
        )
        return {"type": "ir.actions.act_url", "url": url, "target": "new"}
