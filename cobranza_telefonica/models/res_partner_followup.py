# pylint: disable=consider-merging-classes-inherited
# (the follow-up keeps its fields in files of its own so that parallel features merge cleanly)
from datetime import timedelta

import pytz

from odoo import api, fields, models

from ..services import guardrails


def to_local(moment, tz):
    """UTC naive datetime -> naive datetime in ``tz``."""
    return pytz.utc.localize(moment).astimezone(tz).replace(tzinfo=None)


def to_utc(moment, tz):
    """Naive datetime in ``tz`` -> UTC naive datetime (Odoo's convention)."""
    return tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)


# The follow-up's fields live in a file of their own so that parallel features merge cleanly.
class ResPartner(models.Model):
    _inherit = "res.partner"

    cobranza_contact_time = fields.Selection(
        selection=[
            ("morning", "Morning (08:00-13:00)"),
            ("afternoon", "Afternoon (13:00-18:00)"),
            ("evening", "Evening (18:00-20:00)"),
        ],
        string="Preferred contact time",
    )
    cobranza_contact_channel = fields.Selection(
        selection=[("phone", "Phone"), ("whatsapp", "WhatsApp"), ("email", "E-mail"), ("visit", "Visit")],
        string="Preferred channel",
    )
    cobranza_no_phone = fields.Boolean(
        string="No phone",
        compute="_compute_cobranza_no_phone",
        store=True,
        help="Neither phone nor mobile: the customer is still followed up, but cannot be called.",
    )
    cobranza_level_id = fields.Many2one(
        comodel_name="cobranza.level",
        string="Follow-up level",
        company_dependent=True,
        readonly=True,
        help="The highest level reached by the customer's invoices, set by the follow-up run.",
    )
    cobranza_amount_due = fields.Monetary(
        string="Total due", compute="_compute_cobranza_summary", currency_field="currency_id"
    )
    cobranza_amount_overdue = fields.Monetary(
        string="Overdue",
        compute="_compute_cobranza_summary",
        search="_search_cobranza_amount_overdue",
        currency_field="currency_id",
    )
    cobranza_oldest_overdue_date = fields.Date(string="Oldest overdue", compute="_compute_cobranza_summary")
    cobranza_contact_ids = fields.One2many(
        comodel_name="cobranza.contact", inverse_name="partner_id", string="Collection contacts"
    )

    @api.depends("phone", "mobile")
    def _compute_cobranza_no_phone(self):
        for partner in self:
            partner.cobranza_no_phone = not (partner.phone or partner.mobile)

    @api.depends_context("company")
    def _compute_cobranza_summary(self):
        Move = self.env["account.move"]
        today = fields.Date.context_today(self)
        domain = Move._cobranza_open_domain(self.env.company) + [
            ("commercial_partner_id", "in", self.commercial_partner_id.ids)
        ]
        due = dict(Move._read_group(domain, ["commercial_partner_id"], ["amount_residual_signed:sum"]))
        overdue = {
            partner: (amount, oldest)
            for partner, amount, oldest in Move._read_group(
                domain + [("cobranza_oldest_due_date", "<", today)],
                ["commercial_partner_id"],
                ["amount_residual_signed:sum", "cobranza_oldest_due_date:min"],
            )
        }
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.cobranza_amount_due = due.get(commercial, 0.0)
            partner.cobranza_amount_overdue, partner.cobranza_oldest_overdue_date = overdue.get(
                commercial, (0.0, False)
            )

    def _search_cobranza_amount_overdue(self, operator, value):
        ops = {
            ">": float.__gt__,
            ">=": float.__ge__,
            "<": float.__lt__,
            "<=": float.__le__,
            "=": float.__eq__,
        }
        if operator not in ops or not isinstance(value, int | float):
            return NotImplemented
        Move = self.env["account.move"]
        domain = Move._cobranza_open_domain(self.env.companies) + [
            ("cobranza_oldest_due_date", "<", fields.Date.context_today(self))
        ]
        amounts = Move._read_group(domain, ["commercial_partner_id"], ["amount_residual_signed:sum"])
        matching = [partner.id for partner, amount in amounts if ops[operator](float(amount), float(value))]
        if ops[operator](0.0, float(value)):
            return [
                "|",
                ("id", "in", matching),
                ("id", "not in", [partner.id for partner, _amount in amounts]),
            ]
        return [("id", "in", matching)]

    # Contact guardrails ----------------------------------------------------------------------

    @api.model
    def _cobranza_guardrail_data(self, company, partners, now):
        """Everything the guardrails need for ``partners`` in ``company``, read in a few queries:
        the rules per debtor type, the holidays and each debtor's recent contacts (local time)."""
        tz = company._cobranza_tz()
        rules = {
            rule.debtor_type: rule._to_rules()
            for rule in self.env["cobranza.guardrail"].sudo().search([("company_id", "=", company.id)])
        }
        holidays = frozenset(
            self.env["cobranza.holiday"].sudo().search([("company_id", "=", company.id)]).mapped("date")
        )
        history = {}
        contacts = (
            self.env["cobranza.contact"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.commercial_partner_id.ids),
                    ("company_id", "=", company.id),
                    ("date", ">=", now - timedelta(days=14)),
                ],
                ["partner_id", "channel", "date"],
            )
        )
        for contact in contacts:
            kind = guardrails.CHANNEL_KIND[contact.channel]
            history.setdefault((contact.partner_id.id, kind), []).append(to_local(contact.date, tz))
        return {"tz": tz, "rules": rules, "holidays": holidays, "history": history}

    def _cobranza_decide(self, data, channel, when):
        """Guardrail decision for contacting this debtor through ``channel`` at ``when`` (UTC)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        kind = guardrails.CHANNEL_KIND[channel]
        rules = data["rules"].get(partner.cobranza_debtor_type or "company", guardrails.Rules())
        decision = guardrails.check(
            channel,
            to_local(when, data["tz"]),
            rules,
            data["history"].get((partner.id, kind), ()),
            data["holidays"],
        )
        return {
            "allowed": decision.allowed,
            "reason": self._cobranza_guardrail_reason_label(decision.reason),
            "reason_code": decision.reason,
            "next_allowed": to_utc(decision.next_allowed, data["tz"]),
            "next_allowed_local": decision.next_allowed,
        }

    @api.model
    def _cobranza_guardrail_reason_label(self, code):
        labels = {
            "weekday": self.env._("contacts are not allowed on this day of the week"),
            "holiday": self.env._("public holiday"),
            "hours": self.env._("outside the allowed contact hours"),
            "calls_week": self.env._("weekly limit of calls or visits reached"),
            "messages_week": self.env._("weekly limit of messages reached"),
            "messages_gap": self.env._("too soon after the previous message"),
        }
        return labels.get(code, "")

    def _cobranza_contact_check(self, channel, when=None, company=None):
        """May this debtor be contacted through ``channel`` (call, visit, email, sms, whatsapp,
        letter) at ``when`` (UTC, default now) by ``company`` (default the current one)?
        Returns dict(allowed=bool, reason=str, next_allowed=UTC datetime)."""
        self.ensure_one()
        company = company or self.env.company
        when = when or fields.Datetime.now()
        data = self._cobranza_guardrail_data(company, self, when)
        decision = self._cobranza_decide(data, channel, when)
        return {key: decision[key] for key in ("allowed", "reason", "next_allowed")}

    def _cobranza_log_contact(self, channel, when=None, company=None, user=None, origin=None, note=None):
        """Record a contact with each debtor of ``self`` (kept at least two years)."""
        company = company or self.env.company
        return (
            self.env["cobranza.contact"]
            .sudo()
            .create(
                [
                    {
                        "partner_id": partner.commercial_partner_id.id,
                        "company_id": company.id,
                        "channel": channel,
                        "date": when or fields.Datetime.now(),
                        "user_id": (user or self.env.user).id,
                        "origin": origin,
                        "note": note,
                    }
                    for partner in self
                ]
            )
        )

    def action_cobranza_process(self):
        """Run the follow-up now for these customers only (in the current companies)."""
        return self.env["cobranza.followup.run"]._cobranza_run_manual(partners=self.commercial_partner_id)
