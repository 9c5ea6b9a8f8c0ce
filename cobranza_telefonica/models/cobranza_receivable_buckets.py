from odoo import api, models
from odoo.tools import SQL

from ..services.aging import BUCKET_KEYS


# Kept apart from the main class so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class CobranzaReceivable(models.AbstractModel):
    _inherit = "cobranza.receivable"

    @api.model
    def _cobranza_bucket_totals(self, partner, company):
        """{bucket key: open amount in company currency} of the open instalments of one customer
        in one company (unapplied credits left out: the figure's ``credit``), from the aging's own
        query aged on the company's local today: the one receivable figure, never summed again."""
        partner = partner.commercial_partner_id
        totals = dict.fromkeys(BUCKET_KEYS, 0.0)
        for model in ("account.move.line", "account.move", "account.account"):
            self.env[model].flush_model()
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["res.company"]._cobranza_set_sql_clock()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT report.bucket, SUM(report.residual)
                  FROM (%(aging)s) report
                 WHERE NOT report.is_credit AND report.partner_id = %(partner)s
                 GROUP BY report.bucket
                """,
                aging=self.env["cobranza.aging.report"]._live_aging_sql(
                    SQL(
                        "aml.company_id = %s AND aml.partner_id IN "
                        "(SELECT id FROM res_partner WHERE commercial_partner_id = %s)",
                        company.id,
                        partner.id,
                    )
                ),
                partner=partner.id,
            )
        )
        for bucket, amount in rows:
            totals[bucket] = company.currency_id.round(float(amount or 0.0))
        return totals
