import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import split_every

_logger = logging.getLogger(__name__)


class CobranzaContactQueue(models.Model):
    """A message the contact gate did not allow yet: it goes out at the next allowed moment
    (the gate is asked again then), or is dropped when its invoices are no longer owed."""

    _name = "cobranza.contact.queue"
    _description = "Message waiting for the contact gate"
    _order = "send_after, id"
    _check_company_auto = True

    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Debtor", required=True, index=True, readonly=True
    )
    channel = fields.Selection(selection=[("email", "E-mail")], required=True, default="email", readonly=True)
    template_id = fields.Many2one(comodel_name="mail.template", required=True, readonly=True)
    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Many2oneReference(model_field="res_model", required=True, readonly=True)
    move_ids = fields.Many2many(
        comodel_name="account.move",
        string="Invoices",
        readonly=True,
        help="The invoices the message is about: it is sent only while some of them are still owed.",
    )
    send_after = fields.Datetime(string="Goes out at", required=True, index=True, readonly=True)
    state = fields.Selection(
        selection=[("queued", "Queued"), ("sent", "Sent"), ("cancelled", "Dropped")],
        required=True,
        default="queued",
        index=True,
        readonly=True,
    )
    reason = fields.Char(string="Waiting because", readonly=True)
    post_on_record = fields.Boolean(
        readonly=True,
        help="Post the message in the record's chatter (else only e-mail it, as the follow-up run does).",
    )
    origin = fields.Char(readonly=True)
    note = fields.Char(readonly=True)
    contact_id = fields.Many2one(comodel_name="cobranza.contact", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Messages are queued by the contact gate only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Messages are queued by the contact gate only."))
        return super().write(vals)

    @api.model
    def _cron_cobranza_deliver(self, batch_size=500):
        """Every few minutes: ask the gate again for the queued messages whose moment has come;
        send those it allows, move the others to their next allowed moment. Safe to run twice."""
        now = self.env["res.company"]._cobranza_now()
        due = self.sudo().search([("state", "=", "queued"), ("send_after", "<=", now)], limit=batch_size)
        for company in due.company_id:
            for ids in split_every(100, due.filtered(lambda q, c=company: q.company_id == c).ids):
                self.browse(ids).sudo()._cobranza_deliver(company, now)
        return len(due)

    def _cobranza_deliver(self, company, now):
        """Deliver these queued messages of ``company`` through the gate, in one batch."""
        gate = self.env["cobranza.contact.gate"]
        data = gate._cobranza_data(company, self.partner_id, now)
        open_moves = self.move_ids.filtered(
            lambda m: m.state == "posted" and m.payment_state in ("not_paid", "partial")
        )
        for item in self:
            moves = item.move_ids & open_moves
            if item.move_ids and not moves:
                item.write({"state": "cancelled", "reason": self.env._("Nothing left to collect")})
                continue
            decision = gate._cobranza_decide(data, item.partner_id, item.channel, now)
            if not decision["allowed"]:
                item.write({"send_after": decision["next_allowed"], "reason": decision["reason"]})
                continue
            contact = gate._cobranza_log(
                [
                    {
                        "partner_id": item.partner_id.id,
                        "company_id": company.id,
                        "channel": item.channel,
                        "date": now,
                        "user_id": self.env.user.id,
                        "origin": item.origin,
                        "note": item.note,
                    }
                ]
            )
            data["history"].setdefault((item.partner_id.id, "message"), []).append(
                decision["next_allowed_local"]
            )
            context = {"cobranza_mail_move_ids": {item.res_id: moves.ids}}
            if item.post_on_record:
                self.env[item.res_model].browse(item.res_id).with_context(**context).message_post_with_source(
                    item.template_id, subtype_xmlid="mail.mt_comment"
                )
            else:
                item.template_id.with_context(**context).send_mail(item.res_id)
            item.write({"state": "sent", "contact_id": contact.id, "reason": False})
            _logger.info("Queued %s to partner %s sent", item.channel, item.partner_id.id)
