from odoo import api, models

from .cobranza_call import REACHED_RESULTS


# pylint: disable=consider-merging-classes-inherited
class CobranzaPortalRating(models.AbstractModel):
    """The collection page offers to rate the customer's last call that reached it."""

    _inherit = "cobranza.portal"

    @api.model
    def _cobranza_last_rateable_call(self, partner, company):
        """The customer's last call of ``company`` that reached the debtor or a third party."""
        return self.env["cobranza.call"].search(
            [
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", company.id),
                ("contact_result", "in", REACHED_RESULTS),
            ],
            order="date_start desc, id desc",
            limit=1,
        )

    @api.model
    def _cobranza_page_values(self, partner):
        values = super()._cobranza_page_values(partner)
        for section in values["sections"]:
            call = self._cobranza_last_rateable_call(values["partner"], section["company"])
            section["rating_call"] = call
            section["rating_token"] = call._cobranza_rating_token() if call else None
        return values
