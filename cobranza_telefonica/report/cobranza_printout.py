from odoo import api, models
from odoo.tools import format_date

from ..services import rut


class CobranzaPrintout(models.AbstractModel):
    """What the documents printed for a customer (the statement, the collection letter) say
    besides the figures, in the customer's language: its RUT with dots, its address with the
    region's name, the company's bank accounts, who to talk to, the open promises and the dates
    as a Chilean reader expects them (dd/mm/yyyy, or '9 de diciembre de 2026')."""

    _name = "cobranza.printout"
    _description = "Customer documents: common values"

    @api.model
    def _printout_values(self, partner, company):
        """The common values of a printed document for the customer ``partner`` of ``company``."""
        partner = partner.commercial_partner_id
        lang = partner.lang or self.env.lang or "en_US"
        env = self.with_context(lang=lang).env
        today = company._cobranza_today()
        return {
            "lang": lang,
            "today": today,
            "today_long": format_date(env, today, lang_code=lang, date_format="long"),
            "format_date": self._printout_date,
            "rut": rut.display(partner.vat),
            "address": self._printout_address(partner.with_env(env), company),
            "company_rut": rut.display(company.vat),
            "banks": self._printout_banks(company),
            "contact": self._printout_contact(partner, company, env),
            "promises": self._printout_promises(partner, company, env),
        }

    @api.model
    def _printout_date(self, value):
        """dd/mm/yyyy, whatever the language's own date format."""
        return value.strftime("%d/%m/%Y") if value else ""

    @api.model
    def _printout_address(self, partner, company):
        """The lines of a postal address: street, commune and city, the region's name (never its
        code) and the country when it is not the company's."""
        city = " ".join(part for part in (partner.zip, partner.city) if part)
        lines = [partner.street, partner.street2, city, partner.state_id.name]
        if partner.country_id and partner.country_id != company.country_id:
            lines.append(partner.country_id.name)
        return [line for line in lines if line]

    @api.model
    def _printout_banks(self, company):
        """The company's bank accounts the customer may transfer to (the company's own data,
        read whatever the printing user's rights on bank accounts)."""
        return [
            {
                "bank": bank.bank_id.name or "",
                "number": bank.acc_number,
                "holder": bank.acc_holder_name or bank.partner_id.name,
                "holder_rut": rut.display(bank.partner_id.vat or company.vat),
                "account_type": bank.cobranza_account_type or "",
            }
            for bank in company.sudo().partner_id.bank_ids
        ]

    @api.model
    def _printout_contact(self, partner, company, env):
        """Who the customer talks to about its account, and who signs: its collector in
        ``company``, else the company itself."""
        collector = partner.with_company(company).sudo().cobranza_collector_id
        if collector:
            return {
                "name": collector.name,
                "title": collector.partner_id.function or env._("Collections officer"),
                "company": company.name,
                "phone": collector.partner_id.phone or collector.partner_id.mobile or company.phone or "",
                "email": collector.partner_id.email or company.email or "",
            }
        return {
            "name": company.name,
            "title": env._("Collections department"),
            "company": company.name,
            "phone": company.phone or "",
            "email": company.email or "",
        }

    @api.model
    def _printout_promises(self, partner, company, env):
        """The customer's open promises to pay in ``company`` (the whole account, whoever took
        them): date, amount in the promise's currency and state, oldest date first."""
        promises = (
            self.env["cobranza.promise"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("state", "=", "open"),
                ],
                order="date asc, id asc",
            )
        )
        states = dict(promises._fields["state"]._description_selection(env))
        return [
            {
                "date": promise.date,
                "amount": promise.amount,
                "currency": promise.currency_id,
                "state": states[promise.state],
            }
            for promise in promises
        ]
