import logging

from odoo import api, fields, models
from odoo.modules import module as odoo_module
from odoo.tools import SQL

from ..services import kpi
from ..services.aging import BUCKET_KEYS

TREND_MONTHS = 12

_logger = logging.getLogger(__name__)


class CobranzaAgingSnapshot(models.Model):
    """The receivable of one company on one month end, by bucket: the monthly trend of overdue.
    Dated in the company's own calendar. On install the last 12 month ends are filled from the
    as-of engine; then a daily cron takes the last month end when it is missing."""

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
    def _month_ends(self, company, months):
        """The last ``months`` month ends before the current month of ``company``'s calendar (its
        local day, not the server's UTC date), oldest first."""
        return kpi.month_ends_before(company._cobranza_today(), months)

    @api.model
    def _cron_take_snapshots(self, companies=None, months=1):
        """For every company, take the snapshots of its last ``months`` month ends that are missing,
        from the as-of engine (what was open on each of those days). Daily with ``months=1`` (a
        missed run catches up the next day); on install with ``TREND_MONTHS`` so the trend starts
        with a year of points. Safe to run twice; one company's error is logged, the others go on."""
        snapshots = self.sudo()  # a job: the snapshots are read-only for every user
        companies = companies or self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        wanted = {company: self._month_ends(company, months) for company in companies}
        existing = {
            (snapshot.company_id.id, snapshot.date)
            for snapshot in snapshots.search(
                [
                    ("company_id", "in", companies.ids),
                    ("date", "in", sorted({day for days in wanted.values() for day in days})),
                ]
            )
        }
        created = snapshots.browse()
        for company, month_ends in wanted.items():
            missing = [day for day in month_ends if (company.id, day) not in existing]
            if not missing:
                continue
            try:
                with self.env.cr.savepoint():
                    created |= snapshots.create([snapshots._snapshot_values(company, day) for day in missing])
            except Exception:
                _logger.exception("Aging snapshots of %s on %s failed", company.name, missing)
            if not odoo_module.current_test:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return created

    @api.model
    def _cobranza_fill_trend(self, companies=None):
        """The overdue trend of the last ``TREND_MONTHS`` month ends of every company, from the
        as-of engine: called on install, harmless to call again (existing month ends are kept)."""
        return self._cron_take_snapshots(companies, months=TREND_MONTHS)
