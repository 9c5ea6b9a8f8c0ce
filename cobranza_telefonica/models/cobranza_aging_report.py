from odoo import api, fields, models
from odoo.models import regex_order
from odoo.tools import SQL, drop_view_if_exists

from ..services.aging import BUCKETS


def bucket_case_sql(days):
    """SQL CASE giving the bucket key of services.aging.BUCKETS for the SQL expression ``days``:
    the view, the as-of query and the Python tests share the same bucket bounds."""
    whens = []
    for key, _label, first, last in BUCKETS:
        conditions = []
        if first is not None:
            conditions.append(SQL("%s >= %s", days, first))
        if last is not None:
            conditions.append(SQL("%s <= %s", days, last))
        whens.append(SQL("WHEN %s THEN %s", SQL(" AND ").join(conditions), key))
    return SQL("CASE %s END", SQL(" ").join(whens))


def bucket_amount_columns_sql(bucket, amount):
    """One column ``amount_<key>`` per bucket holding ``amount`` when ``bucket`` is that key."""
    return SQL(", ").join(
        SQL(
            "CASE WHEN %s = %s THEN %s ELSE 0 END AS %s", bucket, key, amount, SQL.identifier(f"amount_{key}")
        )
        for key, *_rest in BUCKETS
    )


class CobranzaAgingFields(models.AbstractModel):
    """The columns shared by the live aging view and the as-of-date aging lines."""

    _name = "cobranza.aging.fields"
    _description = "Receivable aging columns"

    move_line_id = fields.Many2one(comodel_name="account.move.line", string="Journal item", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    company_currency_id = fields.Many2one(
        comodel_name="res.currency", string="Company currency", readonly=True
    )
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    move_id = fields.Many2one(comodel_name="account.move", string="Document", readonly=True)
    move_type = fields.Selection(
        selection=lambda self: self.env["account.move"]._fields["move_type"].selection,
        string="Document kind",
        readonly=True,
    )
    document_type_id = fields.Many2one(
        comodel_name="l10n_latam.document.type", string="DTE type", readonly=True
    )
    collector_id = fields.Many2one(comodel_name="res.users", readonly=True)
    level_id = fields.Many2one(comodel_name="cobranza.level", readonly=True)
    account_id = fields.Many2one(comodel_name="account.account", readonly=True)
    date = fields.Date(string="Accounting date", readonly=True)
    date_due = fields.Date(string="Due date", readonly=True)
    is_credit = fields.Boolean(
        string="Unapplied credit",
        readonly=True,
        help="A payment or credit note not yet matched with an invoice: it lowers the customer's "
        "balance but is never overdue.",
    )
    days_overdue = fields.Integer(string="Days overdue", aggregator="max", readonly=True)
    bucket = fields.Selection(
        selection=[(key, label) for key, label, *_rest in BUCKETS], string="Aging bucket", readonly=True
    )
    residual = fields.Monetary(currency_field="company_currency_id", aggregator="sum", readonly=True)
    residual_currency = fields.Monetary(
        string="Residual in currency",
        currency_field="currency_id",
        aggregator="sum",
        readonly=True,
        help="Residual in the document's currency: add it up only within one currency.",
    )
    amount_overdue = fields.Monetary(
        string="Overdue",
        currency_field="company_currency_id",
        aggregator="sum",
        readonly=True,
        help="Instalments past their due date (unapplied credits are never overdue).",
    )
    amount_credit = fields.Monetary(
        string="Unapplied credits",
        currency_field="company_currency_id",
        aggregator="sum",
        readonly=True,
        help="Payments and credit notes not yet matched with an invoice (negative).",
    )
    amount_not_due = fields.Monetary(
        string="Not yet due", currency_field="company_currency_id", aggregator="sum", readonly=True
    )
    amount_1_30 = fields.Monetary(
        string="1-30 days", currency_field="company_currency_id", aggregator="sum", readonly=True
    )
    amount_31_60 = fields.Monetary(
        string="31-60 days", currency_field="company_currency_id", aggregator="sum", readonly=True
    )
    amount_61_90 = fields.Monetary(
        string="61-90 days", currency_field="company_currency_id", aggregator="sum", readonly=True
    )
    amount_91_120 = fields.Monetary(
        string="91-120 days", currency_field="company_currency_id", aggregator="sum", readonly=True
    )
    amount_over_120 = fields.Monetary(
        string="Over 120 days", currency_field="company_currency_id", aggregator="sum", readonly=True
    )

    @api.model
    def _bucket_keys(self):
        return [key for key, *_rest in BUCKETS]

    @api.model
    def _select_common_sql(self):
        """Columns taken as they are from the line (aml) and its entry (am). The customer is the
        commercial entity of the line's partner: Odoo writes it on the receivable lines of
        invoices (account.move.line._compute_partner_id), but a payment's lines carry the
        payment's partner, which may be a contact of the customer. It is read from the small
        res_partner table (``line_partner``), not from the entry: a query that groups by customer
        then never joins the million-row account_move, and PostgreSQL drops both joins when a
        query reads neither (bench/bench_aging.py). It is the plain column
        ``line_partner.commercial_partner_id`` (set on every partner; NULL exactly when the line
        has no partner), not a COALESCE: PostgreSQL knows how many customers a column holds and
        groups them in memory, while for an expression it guesses tens of thousands of groups and
        sorts every line on disk instead."""
        return SQL(
            """
            aml.id AS move_line_id,
            aml.company_id AS company_id,
            aml.company_currency_id AS company_currency_id,
            aml.currency_id AS currency_id,
            line_partner.commercial_partner_id AS partner_id,
            aml.move_id AS move_id,
            am.move_type AS move_type,
            am.l10n_latam_document_type_id AS document_type_id,
            am.cobranza_collector_id AS collector_id,
            am.cobranza_level_id AS level_id,
            aml.account_id AS account_id,
            aml.date AS date,
            COALESCE(aml.date_maturity, aml.date) AS date_due,
            aml.balance < 0 AS is_credit
            """
        )

    @api.model
    def _from_receivable_sql(self):
        """Posted receivable lines with their entry and account."""
        return SQL(
            """
            account_move_line aml
            JOIN account_account acc ON acc.id = aml.account_id
            LEFT JOIN account_move am ON am.id = aml.move_id
            LEFT JOIN res_partner line_partner ON line_partner.id = aml.partner_id
            """
        )

    @api.model
    def _where_receivable_sql(self):
        return SQL("acc.account_type = 'asset_receivable' AND aml.parent_state = 'posted'")

    @api.model
    def _aging_sql(self, base, as_of):
        """Wrap ``base`` (a query with the common columns plus residual and residual_currency)
        with days overdue at ``as_of`` (an SQL date expression), bucket and bucket amounts."""
        days = SQL("(%s - base.date_due)", as_of)
        return SQL(
            """
            SELECT aged.*,
                   CASE WHEN aged.days_overdue > 0 AND NOT aged.is_credit THEN aged.residual ELSE 0 END
                       AS amount_overdue,
                   CASE WHEN aged.is_credit THEN aged.residual ELSE 0 END AS amount_credit,
                   %(bucket_amounts)s
              FROM (
                SELECT base.*, %(days)s AS days_overdue, %(bucket)s AS bucket
                  FROM (%(base)s) base
              ) aged
            """,
            bucket_amounts=bucket_amount_columns_sql(SQL("aged.bucket"), SQL("aged.residual")),
            days=days,
            bucket=bucket_case_sql(days),
            base=base,
        )

    @api.model
    def _live_aging_sql(self, condition=None):
        """Open receivable lines of posted entries, aged on their company's local today
        (``res.company._cobranza_today_sql``: the module's clock, in the company's time zone;
        a LEFT JOIN, the same rows as every line has a company, which PostgreSQL leaves out of a
        query that does not age, such as the totals by customer); ``condition`` (SQL on ``aml``
        and ``am``) narrows the lines before they are aged."""
        base = SQL(
            """
            SELECT %(common)s,
                   aml.amount_residual AS residual,
                   aml.amount_residual_currency AS residual_currency,
                   company_day.today AS company_today
              FROM %(from)s
              LEFT JOIN (%(company_days)s) company_day ON company_day.company_id = aml.company_id
             WHERE %(where)s AND aml.amount_residual != 0 AND %(condition)s
            """,
            common=self._select_common_sql(),
            where=self._where_receivable_sql(),
            condition=condition or SQL("TRUE"),
            company_days=self.env["res.company"]._cobranza_today_sql(),
            **{"from": self._from_receivable_sql()},
        )
        return self._aging_sql(base, SQL("base.company_today"))

    @api.model
    def _as_of_aging_sql(self, as_of, company_ids):
        """Receivable lines of posted entries of ``company_ids`` open on ``as_of``: lines dated
        up to that day, less the reconciliations (payments, credit notes, exchange differences)
        whose matched lines are all dated up to that day (account.partial.reconcile.max_date)."""
        base = SQL(
            """
            SELECT %(common)s,
                   ROUND(aml.balance - COALESCE(dr.amount, 0) + COALESCE(cr.amount, 0),
                         ccur.decimal_places) AS residual,
                   ROUND(aml.amount_currency - COALESCE(dr.amount_currency, 0)
                         + COALESCE(cr.amount_currency, 0), lcur.decimal_places) AS residual_currency
              FROM %(from)s
              JOIN res_currency ccur ON ccur.id = aml.company_currency_id
              JOIN res_currency lcur ON lcur.id = aml.currency_id
              LEFT JOIN (
                    SELECT part.debit_move_id AS line_id, SUM(part.amount) AS amount,
                           SUM(part.debit_amount_currency) AS amount_currency
                      FROM account_partial_reconcile part
                     WHERE part.max_date <= %(as_of)s
                     GROUP BY part.debit_move_id
              ) dr ON dr.line_id = aml.id
              LEFT JOIN (
                    SELECT part.credit_move_id AS line_id, SUM(part.amount) AS amount,
                           SUM(part.credit_amount_currency) AS amount_currency
                      FROM account_partial_reconcile part
                     WHERE part.max_date <= %(as_of)s
                     GROUP BY part.credit_move_id
              ) cr ON cr.line_id = aml.id
             WHERE %(where)s AND aml.date <= %(as_of)s AND aml.company_id IN %(company_ids)s
            """,
            common=self._select_common_sql(),
            where=self._where_receivable_sql(),
            as_of=as_of,
            company_ids=tuple(company_ids),
            **{"from": self._from_receivable_sql()},
        )
        open_only = SQL("SELECT * FROM (%s) open_base WHERE residual != 0 OR residual_currency != 0", base)
        return self._aging_sql(open_only, SQL("%s::date", as_of))


class CobranzaAgingReport(models.Model):
    """Aging of the open receivables today: one row per open receivable journal item of a posted
    entry. Days overdue count from each company's local today, read from the module's clock
    (set on the transaction before every search, see ``_search``), so the view is always current;
    for another date use the as-of wizard (cobranza.aging.as.of). This view is the one receivable
    figure: ``cobranza.receivable`` adds it up per customer and company."""

    _name = "cobranza.aging.report"
    _inherit = "cobranza.aging.fields"
    _description = "Receivables aging"
    _auto = False
    _order = "date_due, id"
    _rec_name = "move_id"
    # What the view reads: the ORM flushes these before any search or read_group on it, so
    # entries posted or paid earlier in the same transaction are counted.
    _depends = {
        "account.move.line": [
            "account_id",
            "amount_currency",
            "amount_residual",
            "amount_residual_currency",
            "balance",
            "company_currency_id",
            "company_id",
            "currency_id",
            "date",
            "date_maturity",
            "move_id",
            "parent_state",
            "partner_id",
        ],
        "account.move": [
            "cobranza_collector_id",
            "cobranza_level_id",
            "l10n_latam_document_type_id",
            "move_type",
        ],
        "account.account": ["account_type"],
        "res.company": ["partner_id"],
        "res.partner": ["commercial_partner_id", "tz"],
    }

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE VIEW %s AS (SELECT aging.move_line_id AS id, aging.* FROM (%s) aging)",
                SQL.identifier(self._table),
                self._live_aging_sql(),
            )
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # Every read of the view (search, read_group, the pivot) ages on the module's clock.
        self.env["res.company"]._cobranza_set_sql_clock()
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        """Groups by customer alone, asked in the customer's order (the list grouped by customer,
        the pivot's rows, the by-customer totals): the groups are read in the order of their key
        and then put in the partner's own order (``res.partner._order``) with one small query on
        res_partner. Ordering the groups in SQL by the partner's name joins res_partner to every
        line and makes PostgreSQL sort a million lines on disk (bench/bench_aging.py); the groups
        are a few thousand at most. Other group-bys and orders keep the ORM's."""
        reverse = self._cobranza_partner_order(groupby, order)
        if reverse is None:
            return super()._read_group(
                domain, groupby, aggregates, having=having, offset=offset, limit=limit, order=order
            )
        rows = super()._read_group(domain, groupby, aggregates, having=having)
        partner_ids = [row[0].id for row in rows if row[0]]
        ordered = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "in", partner_ids)], order=self.env["res.partner"]._order)
            .ids
        )
        position = {partner_id: index for index, partner_id in enumerate(ordered)}
        # As PostgreSQL orders a many2one: the groups without customer last, first when descending.
        rows.sort(key=lambda row: position[row[0].id] if row[0] else len(position), reverse=reverse)
        end = None if limit is None else offset + limit
        return rows[offset:end]

    @api.model
    def _cobranza_partner_order(self, groupby, order):
        """True (descending) or False (ascending) when ``groupby`` is the customer alone and
        ``order`` starts with it (later terms cannot change the order of unique groups); None
        otherwise."""
        if tuple(groupby) != ("partner_id",) or not order:
            return None
        match = regex_order.match(order.split(",")[0].strip())
        if not match or match["term"] != "partner_id" or match["nulls"]:
            return None
        return (match["direction"] or "ASC").upper() == "DESC"
