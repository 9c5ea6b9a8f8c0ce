from odoo import models
from odoo.tools import format_amount


# Kept apart from the main class so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class ResPartner(models.Model):
    """What the collection SMS say of a customer, in the company of the run (``env.company``):
    its receivable figure and the link to its collection page. The follow-up run reads the
    figures of a whole batch at once and hands them over in the context
    (``cobranza_sms_figures``: {commercial partner id: Figure})."""

    _inherit = "res.partner"

    def _cobranza_sms_figure(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        figures = self.env.context.get("cobranza_sms_figures")
        if figures is not None and partner.id in figures:
            return figures[partner.id]
        return partner._cobranza_figure(self.env.company)

    def _cobranza_sms_amount(self, kind="overdue"):
        """The customer's amount, formatted in the SMS's language: ``overdue`` what may be asked
        for now (overdue, net of unapplied credits), ``balance`` everything it owes."""
        figure = self._cobranza_sms_figure()
        amount = figure.balance if kind == "balance" else figure.collectible
        return format_amount(self.env, max(amount, 0.0), self.env.company.currency_id)

    def _cobranza_sms_link(self):
        """The link to the customer's collection page (made by the run's company when needed)."""
        self.ensure_one()
        return self.commercial_partner_id._cobranza_portal_url(self.env.company)

    def _cobranza_sms_company_name(self):
        return self.env.company.name or ""
