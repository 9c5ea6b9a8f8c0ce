from odoo import fields, models
from odoo.tools import SQL, drop_view_if_exists

from .cobranza_call import REACHED_RESULTS
from .res_company import DEFAULT_TZ

# Promises that were decided for or against the debtor (settled otherwise is neither).
DECIDED_STATES = ("kept", "partial", "broken")


class CobranzaCollectorQuality(models.Model):
    """Collector quality for managers: one row per call and one per promise (cancelled ones left
    out), so that sums and averages stay right at any grouping: calls, calls that reached someone
    and the contact rate, promises made and kept and the kept rate, ratings and their average.
    The averages ignore the rows that do not carry them (NULL)."""

    _name = "cobranza.collector.quality"
    _description = "Collector quality"
    _auto = False
    _order = "date desc, id desc"
    _depends = {
        "cobranza.call": [
            "company_id",
            "user_id",
            "partner_id",
            "date_start",
            "contact_result",
            "review_score",
            "review_date",
        ],
        "cobranza.promise": [
            "company_id",
            "user_id",
            "commercial_partner_id",
            "call_id",
            "date_made",
            "state",
        ],
        "rating.rating": ["res_model", "res_id", "consumed", "rating", "feedback"],
        "res.company": ["partner_id"],
        "res.partner": ["tz"],
    }

    kind = fields.Selection(selection=[("call", "Call"), ("promise", "Promise")], readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Collector", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    call_id = fields.Many2one(comodel_name="cobranza.call", readonly=True)
    promise_id = fields.Many2one(comodel_name="cobranza.promise", readonly=True)
    date = fields.Date(readonly=True, help="The company's day of the call, or the day the promise was made.")
    call_count = fields.Integer(string="Calls", aggregator="sum", readonly=True)
    reached_count = fields.Integer(string="Calls that reached someone", aggregator="sum", readonly=True)
    contact_rate = fields.Float(
        string="Contact rate (%)",
        aggregator="avg",
        readonly=True,
        help="Share of the calls that reached the debtor or a third party.",
    )
    promise_count = fields.Integer(string="Promises made", aggregator="sum", readonly=True)
    kept_count = fields.Integer(string="Promises kept", aggregator="sum", readonly=True)
    kept_rate = fields.Float(
        string="Kept rate (%)",
        aggregator="avg",
        readonly=True,
        help="Promises kept over those kept, partially kept and broken.",
    )
    rating_count = fields.Integer(string="Ratings", aggregator="sum", readonly=True)
    rating = fields.Float(string="Average rating", aggregator="avg", readonly=True)
    rating_feedback = fields.Text(string="Customer's comment", readonly=True)
    review_score = fields.Float(
        string="Review score (%)",
        aggregator="avg",
        readonly=True,
        help="The managers' checklist score of the reviewed calls.",
    )

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(view)s AS (
                    SELECT call.id * 2 AS id,
                           'call' AS kind,
                           call.company_id,
                           call.user_id,
                           call.partner_id,
                           call.id AS call_id,
                           NULL::integer AS promise_id,
                           ((call.date_start AT TIME ZONE 'UTC')
                             AT TIME ZONE COALESCE(NULLIF(company_partner.tz, ''), %(tz)s))::date AS date,
                           1 AS call_count,
                           CASE WHEN call.contact_result IN %(reached)s THEN 1 ELSE 0 END AS reached_count,
                           CASE WHEN call.contact_result IN %(reached)s THEN 100.0 ELSE 0.0 END
                                AS contact_rate,
                           0 AS promise_count,
                           0 AS kept_count,
                           NULL::numeric AS kept_rate,
                           CASE WHEN rated.rating IS NULL THEN 0 ELSE 1 END AS rating_count,
                           rated.rating,
                           rated.feedback AS rating_feedback,
                           CASE WHEN call.review_date IS NOT NULL THEN call.review_score END AS review_score
                      FROM cobranza_call call
                      JOIN res_company company ON company.id = call.company_id
                      JOIN res_partner company_partner ON company_partner.id = company.partner_id
                      LEFT JOIN LATERAL (
                            SELECT rating.rating, rating.feedback
                              FROM rating_rating rating
                             WHERE rating.res_model = 'cobranza.call'
                               AND rating.res_id = call.id
                               AND rating.consumed
                               AND rating.rating >= 1
                             ORDER BY rating.write_date DESC, rating.id DESC
                             LIMIT 1
                      ) rated ON TRUE
                    UNION ALL
                    SELECT promise.id * 2 + 1 AS id,
                           'promise' AS kind,
                           promise.company_id,
                           promise.user_id,
                           promise.commercial_partner_id AS partner_id,
                           promise.call_id,
                           promise.id AS promise_id,
                           promise.date_made AS date,
                           0 AS call_count,
                           0 AS reached_count,
                           NULL::numeric AS contact_rate,
                           1 AS promise_count,
                           CASE WHEN promise.state = 'kept' THEN 1 ELSE 0 END AS kept_count,
                           CASE WHEN promise.state = 'kept' THEN 100.0
                                WHEN promise.state IN %(decided)s THEN 0.0 END AS kept_rate,
                           0 AS rating_count,
                           NULL::double precision AS rating,
                           NULL::text AS rating_feedback,
                           NULL::double precision AS review_score
                      FROM cobranza_promise promise
                     WHERE promise.state != 'cancelled'
                )
                """,
                view=SQL.identifier(self._table),
                tz=DEFAULT_TZ,
                reached=REACHED_RESULTS,
                decided=DECIDED_STATES,
            )
        )
