from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL


class CobranzaReceivable(models.AbstractModel):
    _inherit = "cobranza.receivable"

    @api.model
    def _cobranza_instalments(self, moves):
        """{move id: [(due date, open amount in the document's currency, open amount in company
        currency, days overdue)]} of the open instalments of ``moves``, oldest first, from the
        aging's own query (the one receivable figure), aged on each company's local today."""
        result = defaultdict(list)
        if not moves:
            return result
        for model in ("account.move.line", "account.move", "account.account"):
            self.env[model].flush_model()
        self.env["res.company"]._cobranza_set_sql_clock()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT report.move_id, report.date_due, report.residual_currency, report.residual,
                       report.days_overdue
                  FROM (%(aging)s) report
                 WHERE NOT report.is_credit
                 ORDER BY report.move_id, report.date_due, report.move_line_id
                """,
                aging=self.env["cobranza.aging.report"]._live_aging_sql(
                    SQL("aml.move_id IN %s", tuple(moves.ids))
                ),
            )
        )
        for move_id, due, residual_currency, residual, days in rows:
            result[move_id].append((due, float(residual_currency), float(residual), days))
        return result
