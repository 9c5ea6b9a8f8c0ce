import re

from odoo import http
from odoo.http import content_disposition, request


class CobranzaAgingXlsx(http.Controller):
    @http.route("/cobranza/aging/by-customer.xlsx", type="http", auth="user", methods=["GET"])
    def aging_by_customer_xlsx(self, cids=None, **_kwargs):
        """The aging by customer of the companies selected in the company switcher as an Excel
        workbook; the aging's access rules apply (a collector gets their own customers)."""
        companies = self._cobranza_selected_companies(cids)
        content = (
            request.env["cobranza.aging.xlsx"].with_context(allowed_company_ids=companies)._xlsx_by_customer()
        )
        filename = request.env._("aging_by_customer.xlsx")
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    @staticmethod
    def _cobranza_selected_companies(cids=None):
        """The ids of the companies selected in the switcher: the ``cids`` parameter, else the web
        client's ``cids`` cookie (a plain download carries no context), kept to the user's own
        companies; the user's current company when neither says."""
        user = request.env.user
        raw = cids or request.httprequest.cookies.get("cids") or ""
        wanted = [int(part) for part in re.split(r"[-,]", raw) if part.strip().isdigit()]
        allowed = [company_id for company_id in wanted if company_id in user.company_ids.ids]
        return allowed or [user.company_id.id]
