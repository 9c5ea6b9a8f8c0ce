import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.modules import module as odoo_module
from odoo.tools import SQL

from ..services.aging import BUCKET_KEYS

_logger = logging.getLogger(__name__)


class CobranzaAgingSnapshot(models.Model):
    """The receivable of one company on one month end, by bucket: the monthly trend of overdue.
    Taken by a daily cron for the last month end when it is missing, so a missed run catches up."""

    _name = "cobranza.aging.snapshot"
    _description = "Month-end receivables aging snapshot"
    _order = "date desc, company_id"
    _check_company_auto = True
    _rec_name = "date"

    company_id = fields.Many2one(comodel_name="res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Month end", required=True, readonly=True)
    residual = fields.Monetary(string="Receivable", readonly=True, aggregator="sum")
    amount_overdue = fields.Monetary(string="Overdue", readonly=True, aggregator="sum")
    overdue_percent = fields.Float(string="Overdue %", digits=(16, 1), readonly=True, aggregator="avg")
    amount_not_due = fields.Monetary(string="Not yet due", readonly=True, aggregator="sum")
    amount_1_30 = fields.Monetary(string="1-30 days", readonly=True, aggregator="sum")
    amount_31_60 = fields.Monetary(string="31-60 days", readonly=True, aggregator="sum")
    amount_61_90 = fields.Monetary(string="61-90 days", readonly=True, aggregator="sum")
    amount_91_120 = fields.Monetary(string="91-120 days", readonly=True, aggregator="sum")
    amount_over_120 = fields.Monetary(string="Over 120 days", readonly=True, aggregator="sum")

    _sql_constraints = [
        ("company_date_uniq", "unique(company_id, date)", "One snapshot per company and month end."),
    ]

    @api.model
    def _snapshot_values(self, company, as_of):
        """Totals of the aging of ``company`` on ``as_of`` (what was open that day)."""
        report = self.env["cobranza.aging.report"]
        sums = SQL(", ").join(
            SQL("COALESCE(SUM(%s), 0)", SQL.identifier("aging", column))
            for column in ["residual", "amount_overdue", *(f"amount_{key}" for key in BUCKET_KEYS)]
        )
        self.env.cr.execute(
            SQL("SELECT %s FROM (%s) aging", sums, report._as_of_aging_sql(as_of, company.ids))
        )
        residual, overdue, *buckets = (float(value) for value in self.env.cr.fetchone())
        values = {
            "company_id": company.id,
            "date": as_of,
            "residual": residual,
            "amount_overdue": overdue,
            "overdue_percent": overdue / residual * 100.0 if residual > 0 else 0.0,
        }
        values.update({f"amount_{key}": amount for key, amount in zip(BUCKET_KEYS, buckets, strict=True)})
        return values

    @api.model
    def _cron_take_snapshots(self, companies=None):
        """Daily: for every company, take the snapshot of the last month end if it is missing.
        Safe to run twice; one company's error is logged and the others go on."""
        snapshots = self.sudo()  # a job: the snapshots are read-only for every user
        today = self.env.company._cobranza_today()
        month_end = today.replace(day=1) - timedelta(days=1)
        companies = companies or self.env["res.company"].search([])  # pylint: disable=no-search-all
        existing = set(snapshots.search([("date", "=", month_end)]).company_id.ids)
        created = snapshots.browse()
        for company in companies.filtered(lambda c: c.id not in existing):
            try:
                with self.env.cr.savepoint():
                    created |= snapshots.create(snapshots._snapshot_values(company, month_end))
            except Exception:
                _logger.exception("Aging snapshot of %s on %s failed", company.name, month_end)
            if not odoo_module.current_test:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return created
