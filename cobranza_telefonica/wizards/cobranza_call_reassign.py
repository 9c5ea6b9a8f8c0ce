from odoo import fields, models


class CobranzaCallReassign(models.TransientModel):
    """A collection manager gives one or more collection calls to another collector."""

    _name = "cobranza.call.reassign"
    _description = "Reassign collection calls"

    activity_ids = fields.Many2many(comodel_name="mail.activity", string="Calls", required=True)
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        required=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("cobranza_telefonica.group_cobranza_collector").ids),
            ("share", "=", False),
        ],
    )

    def action_confirm(self):
        self.ensure_one()
        self.activity_ids._cobranza_reassign(self.user_id)
        return {"type": "ir.actions.act_window_close"}
