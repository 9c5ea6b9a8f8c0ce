from odoo import http
from odoo.http import content_disposition, request


class CobranzaAgingXlsx(http.Controller):
    @http.route("/cobranza/aging/by-customer.xlsx", type="http", auth="user", methods=["GET"])
    def aging_by_customer_xlsx(self, **_kwargs):
        """The aging by customer of the user's current companies as an Excel workbook; the
        aging's access rules apply (a collector gets their own customers)."""
        content = request.env["cobranza.aging.report"]._xlsx_by_customer()
        filename = request.env._("aging_by_customer.xlsx")
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
