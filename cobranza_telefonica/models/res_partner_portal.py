import secrets
from datetime import timedelta
from urllib.parse import urlencode

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, consteq

MANAGER_GROUP = "cobranza_telefonica.group_cobranza_manager"
COLLECTOR_GROUP = "cobranza_telefonica.group_cobranza_collector"


# Kept apart from the main class so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class ResPartner(models.Model):
    """The link to a customer's collection page: one secret token per commercial entity, made
    when a collection message or letter needs it, valid for the issuing company's number of days,
    revocable by a collection manager."""

    _inherit = "res.partner"

    cobranza_portal_token = fields.Char(
        string="Collection page token", copy=False, readonly=True, groups=COLLECTOR_GROUP
    )
    cobranza_portal_token_date = fields.Datetime(
        string="Collection page link made on", copy=False, readonly=True, groups=COLLECTOR_GROUP
    )
    cobranza_portal_company_id = fields.Many2one(
        comodel_name="res.company",
        string="Collection page link made by",
        copy=False,
        readonly=True,
        groups=COLLECTOR_GROUP,
        help="The company whose setting says how long the link stays valid.",
    )

    def _cobranza_portal_expiry(self):
        """When this customer's link stops working (UTC), or False when it has none."""
        self.ensure_one()
        partner = self.sudo()
        if not partner.cobranza_portal_token or not partner.cobranza_portal_token_date:
            return False
        company = partner.cobranza_portal_company_id or self.env.company
        return partner.cobranza_portal_token_date + timedelta(days=company.cobranza_portal_token_days)

    def _cobranza_portal_token_valid(self, token):
        """Whether ``token`` opens this customer's collection page now: it is the customer's own
        (compared in constant time) and has not expired."""
        self.ensure_one()
        partner = self.sudo()
        if not token or not isinstance(token, str) or partner.commercial_partner_id != partner:
            return False
        stored = partner.cobranza_portal_token
        if not stored or not consteq(stored, token):
            return False
        return self.env["res.company"]._cobranza_now() < self._cobranza_portal_expiry()

    def _cobranza_portal_ensure_token(self, company=None):
        """Give each customer of ``self`` (commercial entities) a valid link, made by ``company``
        when it has none or it expired, in one UPDATE for the whole batch (the follow-up run
        renders hundreds of e-mails at once)."""
        partners = self.commercial_partner_id
        if not partners:
            return
        company = company or self.env.company
        now = self.env["res.company"]._cobranza_now()
        self.flush_model(
            ["cobranza_portal_token", "cobranza_portal_token_date", "cobranza_portal_company_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner partner
                   SET cobranza_portal_token =
                           replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
                       cobranza_portal_token_date = %(now)s,
                       cobranza_portal_company_id = %(company)s
                  FROM res_partner checked
             LEFT JOIN res_company issuer ON issuer.id = checked.cobranza_portal_company_id
                 WHERE checked.id = partner.id
                   AND partner.id = ANY(%(ids)s)
                   AND (checked.cobranza_portal_token IS NULL
                        OR checked.cobranza_portal_token_date IS NULL
                        OR checked.cobranza_portal_token_date
                           + make_interval(days => COALESCE(issuer.cobranza_portal_token_days, 0))
                           <= %(now)s + interval '1 day')
                """,
                now=now,
                company=company.id,
                ids=partners.ids,
            )
        )
        self.invalidate_model(
            ["cobranza_portal_token", "cobranza_portal_token_date", "cobranza_portal_company_id"]
        )

    def _cobranza_portal_url(self, company=None):
        """The absolute link to this customer's collection page (a token made when needed)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        expiry = partner._cobranza_portal_expiry()
        if not expiry or expiry <= self.env["res.company"]._cobranza_now() + timedelta(days=1):
            partner._cobranza_portal_ensure_token(company)
        query = urlencode({"access_token": partner.sudo().cobranza_portal_token})
        return f"{partner.get_base_url()}/cobranza/{partner.id}?{query}"

    def action_cobranza_portal_revoke(self):
        """Revoke the link to the collection page: the old one stops working at once and a new one
        is made (sent with the next collection e-mail or letter). Collection managers only."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a collection manager may revoke the link to the collection page.")
            )
        now = self.env["res.company"]._cobranza_now()
        for partner in self.commercial_partner_id.sudo():
            partner.write(
                {
                    "cobranza_portal_token": secrets.token_hex(32),
                    "cobranza_portal_token_date": now,
                    "cobranza_portal_company_id": self.env.company.id,
                }
            )
            partner.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "%(manager)s revoked the link to the collection page: a new link was made.",
                    manager=self.env.user.name,
                ),
                author_id=self.env.user.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
        return True
