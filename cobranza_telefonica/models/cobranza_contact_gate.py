import dataclasses
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..services import guardrails
from .res_partner import to_local, to_utc

# A contact recorded a little after the clock's "now" (the browser's clock runs ahead) is still "now".
FUTURE_TOLERANCE = timedelta(minutes=5)


class CobranzaContactGate(models.AbstractModel):
    """The one contact gate (Ley 21.320): every outbound contact with a debtor, on any channel and
    from any button or cron, asks ``_cobranza_check`` first and is logged by ``_cobranza_pass`` or
    ``_cobranza_log``. Nothing else creates ``cobranza.contact`` records or sends."""

    _name = "cobranza.contact.gate"
    _description = "Contact gate"

    @api.model
    def _cobranza_data(self, company, partners, when):
        """Rules, holidays and recent contacts of ``partners`` in ``company``, read once for a batch."""
        return {
            "company": company,
            **self.env["res.partner"]._cobranza_guardrail_data(company, partners, when),
        }

    @api.model
    def _cobranza_decide(self, data, partner, channel, when, authorized=False):
        """The decision for one debtor from ``data``: dict(allowed, reason, reason_code,
        next_allowed (UTC), next_allowed_local). ``authorized``: a collection manager allowed this
        call today, which lifts the weekly limit of calls only, never the days and hours."""
        partner = partner.commercial_partner_id
        kind = guardrails.CHANNEL_KIND[channel]
        rules = data["rules"].get(partner.cobranza_debtor_type or "company", guardrails.Rules())
        if authorized and kind == "call":
            rules = dataclasses.replace(rules, max_calls_per_week=0)
        try:
            decision = guardrails.check(
                channel,
                to_local(when, data["tz"]),
                rules,
                data["history"].get((partner.id, kind), ()),
                data["holidays"],
            )
        except ValueError as error:
            raise UserError(
                self.env._(
                    "The contact limits of %(company)s leave no moment to contact %(customer)s: "
                    "check the allowed days and hours.",
                    company=data["company"].name,
                    customer=partner.display_name,
                )
            ) from error
        return {
            "allowed": decision.allowed,
            "reason": self.env["res.partner"]._cobranza_guardrail_reason_label(decision.reason),
            "reason_code": decision.reason,
            "next_allowed": to_utc(decision.next_allowed, data["tz"]),
            "next_allowed_local": decision.next_allowed,
        }

    @api.model
    def _cobranza_check(self, partners, channel, company=None, when=None, authorized=False):
        """{commercial partner id: decision} for contacting each of ``partners`` through
        ``channel`` at ``when`` (UTC, default now)."""
        company = company or self.env.company
        when = when or company._cobranza_now()
        data = self._cobranza_data(company, partners, when)
        return {
            partner.id: self._cobranza_decide(data, partner, channel, when, authorized)
            for partner in partners.commercial_partner_id
        }

    @api.model
    def _cobranza_refusal(self, partner, decision, channel):
        """The Spanish message shown when the gate refuses a contact."""
        labels = dict(self.env["cobranza.contact"]._fields["channel"]._description_selection(self.env))
        return self.env._(
            "%(channel)s to %(customer)s not allowed now: %(reason)s. Next allowed: %(when)s.",
            channel=labels.get(channel, channel),
            customer=partner.commercial_partner_id.display_name,
            reason=decision["reason"],
            when=format_datetime(self.env, decision["next_allowed"], tz=None, dt_format="short"),
        )

    @api.model
    def _cobranza_pass(
        self,
        partner,
        channel,
        company=None,
        when=None,
        origin=None,
        note=None,
        user=None,
        authorized=False,
        reached=True,
    ):
        """Ask the gate for one contact and log it: raise UserError (with why and when it is next
        allowed) when the guardrails forbid it, else return the new ``cobranza.contact``."""
        partner.ensure_one()
        company = company or self.env.company
        now = company._cobranza_now()
        when = when or now
        if when > now + FUTURE_TOLERANCE:
            raise UserError(self.env._("A contact cannot be recorded in the future."))
        decision = self._cobranza_check(partner, channel, company, when, authorized)[
            partner.commercial_partner_id.id
        ]
        if not decision["allowed"]:
            raise UserError(self._cobranza_refusal(partner, decision, channel))
        return self._cobranza_log(
            [
                {
                    "partner_id": partner.commercial_partner_id.id,
                    "company_id": company.id,
                    "channel": channel,
                    "date": when,
                    "user_id": (user or self.env.user).id,
                    "origin": origin,
                    "note": note,
                    "reached": reached,
                    "authorized": bool(authorized),
                }
            ]
        )

    @api.model
    def _cobranza_log(self, vals_list):
        """Log contacts the gate allowed (the batch form, for the follow-up run and the queue):
        the only way ``cobranza.contact`` records are made."""
        return self.env["cobranza.contact"].sudo().with_context(cobranza_gate=True).create(vals_list)

    @api.model
    def _cobranza_log_inbound(self, partner, company, channel="portal", origin=None, note=None):
        """Log a contact the debtor made (the collection page): no limit applies and the
        contact limits never count it (``direction`` inbound)."""
        partner.ensure_one()
        return self._cobranza_log(
            [
                {
                    "partner_id": partner.commercial_partner_id.id,
                    "company_id": company.id,
                    "channel": channel,
                    "direction": "inbound",
                    "date": company._cobranza_now(),
                    "user_id": self.env.user.id,
                    "origin": origin,
                    "note": note,
                }
            ]
        )

    @api.model
    def _cobranza_send_message(
        self, partner, company, template, record, origin=None, note=None, moves=None, queue=True
    ):
        """Send ``template`` on ``record`` to ``partner`` by e-mail if the gate allows it now (the
        contact is logged), else queue it for the next allowed moment, or, with ``queue`` False
        (a message only worth sending now), drop it. Returns "sent", "queued" or "refused"."""
        partner = partner.commercial_partner_id
        now = company._cobranza_now()
        decision = self._cobranza_check(partner, "email", company, now)[partner.id]
        if not decision["allowed"] and not queue:
            return "refused"
        if not decision["allowed"]:
            vals = self._cobranza_queue_vals(
                partner, company, template, record, decision, origin, note, moves
            )
            self._cobranza_enqueue([{**vals, "post_on_record": True}])
            return "queued"
        self._cobranza_log(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "channel": "email",
                    "date": now,
                    "user_id": self.env.user.id,
                    "origin": origin,
                    "note": note,
                }
            ]
        )
        mail_moves = {record.id: moves.ids} if moves else {}
        record.with_context(cobranza_mail_move_ids=mail_moves).message_post_with_source(
            template, subtype_xmlid="mail.mt_comment"
        )
        return "sent"

    @api.model
    def _cobranza_queue_vals(self, partner, company, template, record, decision, origin, note, moves=None):
        return {
            "company_id": company.id,
            "partner_id": partner.commercial_partner_id.id,
            "channel": "email",
            "template_id": template.id,
            "res_model": record._name,
            "res_id": record.id,
            "move_ids": [fields.Command.set(moves.ids)] if moves else False,
            "send_after": decision["next_allowed"],
            "reason": decision["reason"],
            "origin": origin,
            "note": note,
        }

    @api.model
    def _cobranza_enqueue(self, vals_list):
        """Queue messages the gate forbids now: the queue's cron asks again at their moment."""
        return self.env["cobranza.contact.queue"].sudo().create(vals_list)

    @api.model
    def _cobranza_next_call(self, partner, company, after, counted_now=True):
        """The first moment from ``after`` (UTC) the guardrails allow calling ``partner``,
        counting a call made now when ``counted_now`` (the call being recorded)."""
        data = self._cobranza_data(company, partner, after)
        if counted_now:
            key = (partner.commercial_partner_id.id, "call")
            data["history"].setdefault(key, []).append(to_local(company._cobranza_now(), data["tz"]))
        return self._cobranza_decide(data, partner, "call", after)["next_allowed"]
