from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CobranzaLevel(models.Model):
    """A follow-up level: what the daily run does once an invoice is ``day_offset`` days past its
    due date (negative: before it). An invoice reaches the level with the highest offset not
    above its days overdue."""

    _name = "cobranza.level"
    _description = "Follow-up level"
    _order = "company_id, day_offset, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )
    stage = fields.Selection(
        selection=[("preventive", "Preventive"), ("due", "Due"), ("overdue", "Overdue")],
        required=True,
        default="overdue",
    )
    day_offset = fields.Integer(
        string="Days from due date",
        required=True,
        help="Days after the due date (negative: before it) when an invoice reaches this level.",
    )
    send_email = fields.Boolean(string="Send e-mail")
    mail_template_id = fields.Many2one(
        comodel_name="mail.template",
        string="E-mail template",
        domain="[('model', '=', 'account.move')]",
        help="Sent once per invoice when it reaches this level (a template of invoices).",
    )
    send_sms = fields.Boolean(
        string="Send SMS",
        help="Send one SMS to the customer's mobile (else phone) when its invoices reach this level, "
        "if the contact limits allow it (an SMS counts as a message, like an e-mail).",
    )
    sms_template_id = fields.Many2one(
        comodel_name="sms.template",
        string="SMS template",
        domain="[('model', '=', 'res.partner')]",
        help="The text of the level's SMS (a template of customers): keep it short.",
    )
    schedule_call = fields.Boolean(
        string="Schedule call", help="Keep a collection call activity open on the customer."
    )
    print_letter = fields.Boolean(
        string="Print letter", help="Mark the invoice for the formal collection letter (PDF)."
    )
    manager_review = fields.Boolean(
        string="Manager review", help="Ask a collection manager to review the customer."
    )
    pre_legal = fields.Boolean(
        string="Pre-legal", help="Invoices at this level are ready to be handed to legal collection."
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Assign to",
        check_company=True,
        domain="[('share', '=', False)]",
        help="Who gets the call or the review of this level; empty: the invoice's collector "
        "(for a review: a collection manager of the company).",
    )
    call_note = fields.Text(
        string="Call instructions", translate=True, help="Added to the call activity of this level."
    )
    script_id = fields.Many2one(
        comodel_name="cobranza.script",
        string="Call script",
        check_company=True,
        help="The guided call script for customers at this level; empty: the script whose range of "
        "days overdue and debtor type fit the customer.",
    )

    @api.depends("name", "day_offset")
    def _compute_display_name(self):
        for level in self:
            level.display_name = f"{level.day_offset:+d} · {level.name or ''}"

    @api.constrains("company_id", "day_offset", "active")
    def _check_day_offset_unique(self):
        for level in self.filtered("active"):
            clash = self.search_count(
                [
                    ("id", "!=", level.id),
                    ("company_id", "=", level.company_id.id),
                    ("day_offset", "=", level.day_offset),
                ],
                limit=1,
            )
            if clash:
                raise ValidationError(
                    self.env._(
                        "Another follow-up level of %(company)s already fires %(days)s days from "
                        "the due date: each level needs its own day offset.",
                        company=level.company_id.name,
                        days=level.day_offset,
                    )
                )

    @api.constrains(
        "name",
        "day_offset",
        "send_email",
        "mail_template_id",
        "send_sms",
        "sms_template_id",
        "schedule_call",
        "print_letter",
        "manager_review",
    )
    def _check_action(self):
        for level in self:
            if not (
                level.send_email
                or level.send_sms
                or level.schedule_call
                or level.print_letter
                or level.manager_review
            ):
                raise ValidationError(
                    self.env._(
                        "The follow-up level %(level)s does nothing: choose at least one action "
                        "(e-mail, SMS, call, letter or manager review).",
                        level=level.name,
                    )
                )
            if level.send_email and not level.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "The follow-up level %(level)s sends an e-mail: choose its template.",
                        level=level.name,
                    )
                )
            if level.mail_template_id and level.mail_template_id.model != "account.move":
                raise ValidationError(
                    self.env._(
                        "The e-mail template %(template)s is for %(model)s: a follow-up level needs "
                        "a template of invoices.",
                        template=level.mail_template_id.name,
                        model=level.mail_template_id.model,
                    )
                )
            if level.send_sms and not level.sms_template_id:
                raise ValidationError(
                    self.env._(
                        "The follow-up level %(level)s sends an SMS: choose its template.",
                        level=level.name,
                    )
                )
            if level.sms_template_id and level.sms_template_id.model != "res.partner":
                raise ValidationError(
                    self.env._(
                        "The SMS template %(template)s is for %(model)s: a follow-up level needs "
                        "an SMS template of customers.",
                        template=level.sms_template_id.name,
                        model=level.sms_template_id.model,
                    )
                )

    @api.constrains("user_id", "company_id")
    def _check_user_company(self):
        for level in self:
            if level.user_id and (level.user_id.share or level.company_id not in level.user_id.company_ids):
                raise ValidationError(
                    self.env._(
                        "%(user)s does not work for %(company)s: assign the level to an internal user "
                        "of that company.",
                        user=level.user_id.name,
                        company=level.company_id.name,
                    )
                )

    @api.model
    def _cobranza_level_for_days(self, levels, days):
        """The level of ``levels`` (sorted by offset) an invoice ``days`` overdue has reached."""
        reached = self.browse()
        for level in levels:
            if level.day_offset > days:
                break
            reached = level
        return reached
