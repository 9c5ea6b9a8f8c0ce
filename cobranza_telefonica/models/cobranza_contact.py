from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

CONTACT_CHANNELS = [
    ("call", "Call"),
    ("visit", "Visit"),
    ("email", "E-mail"),
    ("sms", "SMS"),
    ("whatsapp", "WhatsApp"),
    ("letter", "Letter"),
]
# Ley 21.320 asks to keep the record of contacts; we keep them at least this long.
RETENTION_YEARS = 2


class CobranzaContact(models.Model):
    """One contact with a debtor (call, visit, message, letter), kept at least two years."""

    _name = "cobranza.contact"
    _description = "Contact with a debtor"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Debtor", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )
    channel = fields.Selection(selection=CONTACT_CHANNELS, required=True)
    date = fields.Datetime(required=True, default=lambda self: self.env["res.company"]._cobranza_now(), index=True)
    user_id = fields.Many2one(comodel_name="res.users", string="By", default=lambda self: self.env.user)
    origin = fields.Char(help="What made the contact: the follow-up run, a call, a promise check…")
    note = fields.Text()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_recent(self):
        limit = self.env["res.company"]._cobranza_now() - relativedelta(years=RETENTION_YEARS)
        if any(contact.date > limit for contact in self):
            raise UserError(
                self.env._(
                    "Contacts with debtors are kept for at least two years: they cannot be deleted earlier."
                )
            )
