from odoo import api, fields, models

PROMISE_GROUP = "cobranza_telefonica.group_cobranza_collector"


class ResPartner(models.Model):
    _inherit = "res.partner"

    cobranza_collector_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        company_dependent=True,
        domain="[('share', '=', False)]",
        tracking=True,
        help="The collector who calls this customer about its open invoices.",
    )
    cobranza_on_hold = fields.Boolean(
        string="Collection on hold",
        company_dependent=True,
        tracking=True,
        help="While on hold, the follow-up run leaves this customer's invoices alone.",
    )
    cobranza_debtor_type = fields.Selection(
        selection=[("person", "Natural person"), ("company", "Company")],
        string="Debtor type",
        compute="_compute_cobranza_debtor_type",
        store=True,
        readonly=False,
        help="Natural persons are consumer debtors under Chile's Ley 21.320 (contact limits).",
    )

    @api.depends("is_company")
    def _compute_cobranza_debtor_type(self):
        for partner in self:
            partner.cobranza_debtor_type = "company" if partner.is_company else "person"

    cobranza_promise_flag = fields.Boolean(
        string="Breaks promises",
        company_dependent=True,
        tracking=True,
        help="Set when the customer breaks two promises to pay within 90 days; the collection "
        "managers are told. Clear it by hand once the customer is back on track.",
    )
    cobranza_promise_count = fields.Integer(
        string="Promises", compute="_compute_cobranza_promise_stats", groups=PROMISE_GROUP
    )
    cobranza_promise_kept_count = fields.Integer(
        string="Promises kept", compute="_compute_cobranza_promise_stats", groups=PROMISE_GROUP
    )
    cobranza_promise_broken_count = fields.Integer(
        string="Promises broken", compute="_compute_cobranza_promise_stats", groups=PROMISE_GROUP
    )
    cobranza_promise_partial_count = fields.Integer(
        string="Promises partially kept", compute="_compute_cobranza_promise_stats", groups=PROMISE_GROUP
    )
    cobranza_promise_kept_ratio = fields.Float(
        string="Promises kept ratio",
        compute="_compute_cobranza_promise_stats",
        groups=PROMISE_GROUP,
        help="Kept promises over the promises already decided (kept, partially kept or broken), 0 to 1.",
    )
    cobranza_promise_amount = fields.Monetary(
        string="Amount promised",
        compute="_compute_cobranza_promise_stats",
        currency_field="cobranza_promise_currency_id",
        groups=PROMISE_GROUP,
    )
    cobranza_promise_amount_paid = fields.Monetary(
        string="Amount collected on promises",
        compute="_compute_cobranza_promise_stats",
        currency_field="cobranza_promise_currency_id",
        groups=PROMISE_GROUP,
    )
    cobranza_promise_currency_id = fields.Many2one(
        comodel_name="res.currency", compute="_compute_cobranza_promise_stats", groups=PROMISE_GROUP
    )

    def _compute_cobranza_promise_stats(self):
        """Promise figures of the customer (its commercial entity), in one grouped query."""
        commercial = self.commercial_partner_id
        stats = self.env["cobranza.promise"]._cobranza_stats(
            "commercial_partner_id", [("commercial_partner_id", "in", commercial.ids)]
        )
        for partner in self:
            figures = stats.get(partner.commercial_partner_id.id, {})
            partner.cobranza_promise_count = figures.get("count", 0)
            partner.cobranza_promise_kept_count = figures.get("kept", 0)
            partner.cobranza_promise_broken_count = figures.get("broken", 0)
            partner.cobranza_promise_partial_count = figures.get("partial", 0)
            partner.cobranza_promise_kept_ratio = figures.get("kept_ratio", 0.0)
            partner.cobranza_promise_amount = figures.get("amount", 0.0)
            partner.cobranza_promise_amount_paid = figures.get("amount_paid", 0.0)
            partner.cobranza_promise_currency_id = self.env.company.currency_id

    def action_cobranza_view_promises(self):
        """The customer's promises to pay, from the smart button."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranza_telefonica.action_cobranza_promise")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
