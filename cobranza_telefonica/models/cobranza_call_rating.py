from markupsafe import Markup

from odoo import api, fields, models

from .cobranza_call import REACHED_RESULTS

RATING_TEMPLATE_XMLID = "cobranza_telefonica.mail_template_cobranza_call_rating"


# pylint: disable=consider-merging-classes-inherited
class CobranzaCallRating(models.Model):
    """The debtor rates a call that reached it, with Odoo's rating machinery (tokens, the
    ``/rate/<token>/<score>`` pages, ``rating_apply``): asked by e-mail through the contact gate
    after the call, or from the customer's collection page."""

    _name = "cobranza.call"
    _inherit = ["cobranza.call", "rating.mixin"]

    rating_request_sent = fields.Boolean(
        string="Rating requested",
        readonly=True,
        copy=False,
        help="The e-mail asking the debtor to rate this call was sent or queued by the contact gate.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # A call is a log entry: no "created" note and no follower, so the rating request and
        # the rating notify nobody but the customer.
        return super(
            CobranzaCallRating, self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
        ).create(vals_list)

    @api.model
    def _cobranza_record(self, values):
        call = super()._cobranza_record(values)
        call._cobranza_send_rating_request()
        return call

    def _cobranza_rateable(self):
        """The calls a debtor may rate: those that reached the debtor or a third party."""
        return self.filtered(lambda call: call.contact_result in REACHED_RESULTS)

    def _rating_get_partner(self):
        return self.partner_id.commercial_partner_id

    def _cobranza_send_rating_request(self):
        """E-mail the debtor the rating request of each call that reached someone, once per call,
        through the contact gate, when the company asks for ratings by e-mail: sent and logged
        when the gate allows it now, else not at all (a rating asked days later is noise, and
        queued it would take the place of a collection message); the collection page still
        offers the call's rating."""
        template = self.env.ref(RATING_TEMPLATE_XMLID, raise_if_not_found=False)
        if not template:
            return self.browse()
        calls = self._cobranza_rateable().filtered(
            lambda call: (
                not call.rating_request_sent
                and call.company_id.cobranza_rating_email
                and call.partner_id.commercial_partner_id.email
            )
        )
        gate = self.env["cobranza.contact.gate"]
        sent = self.browse()
        for call in calls:
            # The message goes on the call, which nobody writes (its collector only reads it).
            result = gate._cobranza_send_message(
                call.partner_id.commercial_partner_id,
                call.company_id,
                template.sudo(),
                call.sudo(),
                origin=self.env._("Call rating request"),
                note=call.name,
                queue=False,
            )
            if result == "sent":
                sent |= call
        sent.sudo().write({"rating_request_sent": True})
        return sent

    def _cobranza_rating_token(self):
        """The debtor's open (not yet given) rating token of this call, made when missing; None
        when the debtor already rated it or the call reached nobody."""
        self.ensure_one()
        if not self._cobranza_rateable():
            return None
        partner = self._rating_get_partner()
        ratings = self.sudo().rating_ids.filtered(lambda rating: rating.partner_id == partner)
        if ratings.filtered("consumed"):
            return None
        return self._rating_get_access_token(partner)

    def rating_apply(
        self, rate, token=None, rating=None, feedback=None, subtype_xmlid=None, notify_delay_send=False
    ):
        """Odoo's rating, then, the first time the debtor gives it: posted in the customer's
        chatter and logged as an inbound contact (the debtor contacted us: never counted)."""
        if token and not rating:
            rating = self.env["rating.rating"].search([("access_token", "=", token)], limit=1)
        first = bool(rating) and not rating.consumed
        rating = super().rating_apply(
            rate,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )
        if first and self._name == "cobranza.call":
            self._cobranza_rating_received(rating)
        return rating

    def _cobranza_rating_received(self, rating):
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        comment = (rating.feedback or "").strip()
        text = self.env._(
            "The customer rated the call of %(collector)s: %(score)s/5.",
            collector=self.user_id.name,
            score=int(rating.rating),
        )
        body = Markup("<p>%s</p>") % text
        if comment:
            body += Markup("<p>%s</p>") % comment
        partner.sudo().message_post(
            body=body,
            author_id=(rating.partner_id or partner).id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.env["cobranza.contact.gate"]._cobranza_log_inbound(
            partner,
            self.company_id,
            "portal",
            origin=self.env._("Call rating"),
            note=text + (f" {comment}" if comment else ""),
        )
