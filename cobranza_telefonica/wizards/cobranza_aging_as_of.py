from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class CobranzaAgingAsOf(models.TransientModel):
    """What was open on a past date: the receivables of posted entries dated up to that day,
    less only the payments and reconciliations dated up to it. Fills cobranza.aging.as.of.line
    in one INSERT ... SELECT and opens it as pivot, list and graph."""

    _name = "cobranza.aging.as.of"
    _description = "Receivables aging as of a date"
    _check_company_auto = True

    as_of_date = fields.Date(
        string="As of", required=True, default=lambda self: self.env.company._cobranza_today()
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    line_ids = fields.One2many(comodel_name="cobranza.aging.as.of.line", inverse_name="wizard_id")

    @api.constrains("as_of_date", "company_id")
    def _check_as_of_date(self):
        """Refuse a day after the company's own today (its calendar, not the server's)."""
        for wizard in self:
            if wizard.as_of_date > wizard.company_id._cobranza_today():
                raise UserError(
                    self.env._(
                        "The as-of date %(date)s is in the future: the aging can only show what was "
                        "open on a past date or today.",
                        date=wizard.as_of_date,
                    )
                )

    def _compute_lines(self):
        """(Re)fill this wizard's lines with the receivables open on its date; return their count."""
        self.ensure_one()
        self._check_as_of_date()
        report = self.env["cobranza.aging.report"]
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move"].flush_model()
        self.env.cr.execute(SQL("DELETE FROM cobranza_aging_as_of_line WHERE wizard_id = %s", self.id))
        # Every stored column of cobranza.aging.fields: a column added there (and to its SELECT)
        # reaches these lines too.
        columns = [
            name
            for name, field in self.env["cobranza.aging.fields"]._fields.items()
            if field.store and name != "id"
        ]
        column_list = SQL(", ").join(SQL.identifier(column) for column in columns)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO cobranza_aging_as_of_line
                       (wizard_id, create_uid, write_uid, create_date, write_date, %(columns)s)
                SELECT %(wizard)s, %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC',
                       %(columns)s
                  FROM (%(query)s) aging
                """,
                columns=column_list,
                wizard=self.id,
                uid=self.env.uid,
                query=report._as_of_aging_sql(self.as_of_date, self.company_id.ids),
            )
        )
        count = self.env.cr.rowcount
        self.env["cobranza.aging.as.of.line"].invalidate_model()
        self.invalidate_recordset(["line_ids"])
        return count

    def action_open(self):
        """Compute the aging on the chosen date and open it grouped by customer and currency."""
        self._compute_lines()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Aging as of %(date)s", date=self.as_of_date),
            "res_model": "cobranza.aging.as.of.line",
            "view_mode": "pivot,list,graph",
            "domain": [("wizard_id", "=", self.id)],
            "context": {"search_default_group_partner": 1},
            "target": "current",
        }


class CobranzaAgingAsOfLine(models.TransientModel):
    """One receivable journal item open on the wizard's date, aged on that date."""

    _name = "cobranza.aging.as.of.line"
    _inherit = "cobranza.aging.fields"
    _description = "Receivables aging line as of a date"
    _order = "date_due, id"
    _rec_name = "move_id"

    wizard_id = fields.Many2one(
        comodel_name="cobranza.aging.as.of", required=True, ondelete="cascade", index=True
    )
