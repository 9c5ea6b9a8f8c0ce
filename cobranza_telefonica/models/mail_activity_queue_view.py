from odoo import api, fields, models
from odoo.tools import SQL

from .cobranza_promise import PROMISE_STATES


# pylint: disable=consider-merging-classes-inherited
class MailActivityQueueView(models.Model):
    """What the collector's queue shows of each call besides its stored figures: the phone to
    dial, the call's rank in its collector's day, the customer's last call and promise. Read for
    the rows on screen in one query each, never stored (they change with every call and payment)."""

    _inherit = "mail.activity"

    cobranza_phone = fields.Char(string="Phone", compute="_compute_cobranza_phone")
    cobranza_rank = fields.Integer(
        string="Rank",
        compute="_compute_cobranza_rank",
        help="1 is the call to make first: the collector's calls due by today, highest priority first.",
    )
    cobranza_last_result = fields.Char(string="Last call", compute="_compute_cobranza_last_call")
    cobranza_promise_state = fields.Selection(
        selection=PROMISE_STATES,
        string="Promise",
        compute="_compute_cobranza_promise_state",
        help="The customer's open promise to pay in this company, else its latest decided one.",
    )

    @api.depends("cobranza_partner_id.phone", "cobranza_partner_id.mobile")
    def _compute_cobranza_phone(self):
        for activity in self:
            partner = activity.cobranza_partner_id
            activity.cobranza_phone = partner.mobile or partner.phone or False

    def _cobranza_by_company(self):
        """These call activities grouped by the company they collect for (ids of real records)."""
        calls = self.filtered(lambda act: act.id and act.cobranza_is_call)
        return calls.grouped(lambda act: act._cobranza_company())

    def _compute_cobranza_rank(self):
        ranks = {}
        self.env["mail.activity"].flush_model(
            ["user_id", "cobranza_company_id", "cobranza_priority", "date_deadline", "cobranza_is_call"]
        )
        for company, calls in self._cobranza_by_company().items():
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id, position FROM (
                        SELECT a.id, row_number() OVER (
                                   PARTITION BY a.user_id
                                   ORDER BY a.cobranza_priority DESC NULLS LAST, a.date_deadline, a.id
                               ) AS position
                          FROM mail_activity a
                         WHERE a.cobranza_is_call
                           AND a.date_deadline <= %(today)s
                           AND COALESCE(a.cobranza_company_id, %(company)s) = %(company)s
                           AND a.user_id IN %(users)s
                    ) ranked
                    WHERE id IN %(ids)s
                    """,
                    today=company._cobranza_today(),
                    company=company.id,
                    users=tuple(calls.user_id.ids) or (0,),
                    ids=tuple(calls.ids),
                )
            )
            ranks.update(self.env.cr.fetchall())
        for activity in self:
            activity.cobranza_rank = ranks.get(activity.id, 0)

    def _compute_cobranza_last_call(self):
        labels = dict(self.env["cobranza.call"]._fields["contact_result"]._description_selection(self.env))
        outcomes = dict(self.env["cobranza.call"]._fields["outcome"]._description_selection(self.env))
        last = {}
        self.env["cobranza.call"].flush_model(
            ["partner_id", "company_id", "date_start", "contact_result", "outcome"]
        )
        for company, calls in self._cobranza_by_company().items():
            self.env.cr.execute(
                SQL(
                    """
                    SELECT DISTINCT ON (partner_id) partner_id, contact_result, outcome
                      FROM cobranza_call
                     WHERE company_id = %s AND partner_id IN %s
                     ORDER BY partner_id, date_start DESC, id DESC
                    """,
                    company.id,
                    tuple(calls.cobranza_partner_id.ids) or (0,),
                )
            )
            for partner_id, result, outcome in self.env.cr.fetchall():
                last[(company.id, partner_id)] = outcomes.get(outcome) or labels.get(result)
        for activity in self:
            key = (activity._cobranza_company().id, activity.cobranza_partner_id.id)
            activity.cobranza_last_result = last.get(key, False)

    def _compute_cobranza_promise_state(self):
        states = {}
        self.env["cobranza.promise"].flush_model(["commercial_partner_id", "company_id", "state", "date"])
        for company, calls in self._cobranza_by_company().items():
            self.env.cr.execute(
                SQL(
                    """
                    SELECT DISTINCT ON (commercial_partner_id) commercial_partner_id, state
                      FROM cobranza_promise
                     WHERE company_id = %s AND commercial_partner_id IN %s AND state != 'cancelled'
                     ORDER BY commercial_partner_id, state = 'open' DESC, date DESC, id DESC
                    """,
                    company.id,
                    tuple(calls.cobranza_partner_id.ids) or (0,),
                )
            )
            states.update({(company.id, partner): state for partner, state in self.env.cr.fetchall()})
        for activity in self:
            key = (activity._cobranza_company().id, activity.cobranza_partner_id.id)
            activity.cobranza_promise_state = states.get(key, False)
