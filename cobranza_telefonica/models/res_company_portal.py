from odoo import api, fields, models
from odoo.exceptions import ValidationError


# Kept apart from the main class so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class ResCompany(models.Model):
    _inherit = "res.company"

    cobranza_portal_token_days = fields.Integer(
        string="Collection page link valid (days)",
        default=60,
        help="The link to a customer's collection page stops working this many days after it was made; "
        "the next collection e-mail or letter carries a new one.",
    )
    cobranza_portal_max_actions = fields.Integer(
        string="Collection page actions per hour",
        default=10,
        help="How many promises, disputes and call requests one customer may send from its "
        "collection page in an hour.",
    )

    @api.constrains("cobranza_portal_token_days", "cobranza_portal_max_actions")
    def _check_cobranza_portal_settings(self):
        for company in self:
            if company.cobranza_portal_token_days < 1 or company.cobranza_portal_max_actions < 1:
                raise ValidationError(
                    self.env._(
                        "Collection page: the link must be valid for at least one day and at least one "
                        "action per hour must be allowed."
                    )
                )
