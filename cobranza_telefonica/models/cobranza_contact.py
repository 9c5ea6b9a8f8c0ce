from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

CONTACT_CHANNELS = [
    ("call", "Call"),
    ("visit", "Visit"),
    ("email", "E-mail"),
    ("sms", "SMS"),
    ("whatsapp", "WhatsApp"),
    ("letter", "Letter"),
    ("portal", "Customer portal"),
]
CONTACT_DIRECTIONS = [
    ("outbound", "Outbound"),
    ("inbound", "Inbound"),
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
        comodel_name="res.partner",
        string="Debtor",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    channel = fields.Selection(selection=CONTACT_CHANNELS, required=True, readonly=True)
    date = fields.Datetime(
        required=True, default=lambda self: self.env["res.company"]._cobranza_now(), index=True, readonly=True
    )
    user_id = fields.Many2one(
        comodel_name="res.users", string="By", default=lambda self: self.env.user, readonly=True
    )
    origin = fields.Char(
        readonly=True, help="What made the contact: the follow-up run, a call, a promise check…"
    )
    note = fields.Text(readonly=True)
    direction = fields.Selection(
        selection=CONTACT_DIRECTIONS,
        required=True,
        default="outbound",
        readonly=True,
        index=True,
        help="Outbound: the company contacted the debtor (counted by the contact limits). "
        "Inbound: the debtor contacted the company, e.g. from the collection page (never counted).",
    )
    reached = fields.Boolean(
        default=True,
        readonly=True,
        help="Off for calls that reached nobody (no answer, busy, voicemail).",
    )
    authorized = fields.Boolean(
        string="Authorised by a manager",
        readonly=True,
        help="A collection manager lifted the weekly limit for this call.",
    )

    # The contact log is append-only: the contact gate writes it (as superuser), nobody edits it,
    # and only the retention cron removes contacts older than the retention period.

    @api.model_create_multi
    def create(self, vals_list):
        if not (self.env.su and self.env.context.get("cobranza_gate")):
            raise AccessError(self.env._("Contacts with debtors are logged by the contact gate only."))
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise AccessError(self.env._("The contact log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_recent(self):
        if not (self.env.su and self.env.context.get("cobranza_retention")):
            raise UserError(
                self.env._(
                    "Contacts with debtors are kept for at least two years: they cannot be deleted earlier."
                )
            )
        limit = self.env["res.company"]._cobranza_now() - relativedelta(years=RETENTION_YEARS)
        if any(contact.date > limit for contact in self):
            raise UserError(
                self.env._(
                    "Contacts with debtors are kept for at least two years: they cannot be deleted earlier."
                )
            )

    @api.model
    def _cron_cobranza_purge_contacts(self, batch_size=5000):
        """Remove the contacts older than the retention period, in batches."""
        limit = self.env["res.company"]._cobranza_now() - relativedelta(years=RETENTION_YEARS)
        old = self.sudo().search([("date", "<", limit)], limit=batch_size)
        old.with_context(cobranza_retention=True).unlink()
        return len(old)
