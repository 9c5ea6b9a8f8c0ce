"""Odoo's rating pages, refusing a logged-in user of another customer on a collection call's
rating (Odoo's page already refuses to show it; its form's submission did not check)."""

from odoo import http
from odoo.http import request

from odoo.addons.rating.controllers.main import Rating


class CobranzaRatingController(Rating):
    @http.route()
    def action_submit_rating(self, token, rate=0, **kwargs):
        rating = request.env["rating.rating"].sudo().search([("access_token", "=", token)], limit=1)
        user = request.env.user
        if (
            rating.res_model == "cobranza.call"
            and not user._is_public()
            and user.partner_id.commercial_partner_id != rating.partner_id.commercial_partner_id
        ):
            record = request.env[rating.res_model].sudo().browse(rating.res_id)
            return request.render(
                "rating.rating_external_page_invalid_partner",
                {
                    "model_name": request.env["ir.model"]._get(rating.res_model).display_name,
                    "name": record.display_name,
                    "web_base_url": rating.get_base_url(),
                },
                status=403,
            )
        return super().action_submit_rating(token, rate=rate, **kwargs)
