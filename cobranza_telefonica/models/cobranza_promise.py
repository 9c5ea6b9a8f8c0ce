from odoo import api, fields, models


class CobranzaPromise(models.Model):
    """A customer's promise to pay an amount on some invoices by a date."""

    _name = "cobranza.promise"
    _description = "Promise to pay"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
    )
    date = fields.Date(string="Promised date", required=True, tracking=True)
    line_ids = fields.One2many(
        comodel_name="cobranza.promise.line", inverse_name="promise_id", string="Invoices promised", copy=True
    )
    move_ids = fields.Many2many(
        comodel_name="account.move", string="Invoices", compute="_compute_move_ids", store=True
    )
    amount = fields.Monetary(
        string="Amount promised", compute="_compute_amount", store=True, tracking=True, aggregator="sum"
    )
    channel = fields.Selection(
        selection=[("call", "Call"), ("email", "E-mail"), ("portal", "Portal"), ("in_person", "In person")],
        required=True,
        default="call",
    )
    state = fields.Selection(
        selection=[
            ("open", "Open"),
            ("kept", "Kept"),
            ("partial", "Partially kept"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="open",
        index=True,
        tracking=True,
    )
    note = fields.Text(string="Notes")
    call_id = fields.Many2one(comodel_name="cobranza.call", index=True, ondelete="set null")

    @api.depends("partner_id.display_name", "date")
    def _compute_name(self):
        for promise in self:
            promise.name = f"{promise.partner_id.display_name or ''} · {promise.date or ''}"

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for promise in self:
            promise.move_ids = promise.line_ids.move_id

    @api.depends("line_ids.amount")
    def _compute_amount(self):
        for promise in self:
            promise.amount = promise.currency_id.round(sum(promise.line_ids.mapped("amount")))
