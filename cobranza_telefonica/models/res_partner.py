from odoo import api, fields, models


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
