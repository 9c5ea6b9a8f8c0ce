from odoo import fields, models


class CobranzaFollowupAction(models.Model):
    """What the follow-up run already did for an invoice at a level: its memory, so that each
    level's e-mail, SMS, call, letter and review happen once per invoice."""

    _name = "cobranza.followup.action"
    _description = "Follow-up action done"
    _order = "id desc"

    move_id = fields.Many2one(comodel_name="account.move", required=True, index=True, ondelete="cascade")
    level_id = fields.Many2one(comodel_name="cobranza.level", required=True, ondelete="cascade")
    action = fields.Selection(
        selection=[
            ("email", "E-mail"),
            ("sms", "SMS"),
            ("call", "Call"),
            ("letter", "Letter"),
            ("review", "Manager review"),
        ],
        required=True,
    )
    # Plain fields, set by the run from the invoice (a related field would cost a compute per row).
    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", index=True)
    run_id = fields.Many2one(comodel_name="cobranza.followup.run", ondelete="set null")
    date = fields.Datetime(default=lambda self: self.env["res.company"]._cobranza_now())

    _sql_constraints = [
        ("once_uniq", "unique(move_id, level_id, action)", "This follow-up action was already done."),
    ]
