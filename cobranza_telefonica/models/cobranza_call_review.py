from odoo import api, fields, models
from odoo.exceptions import AccessError

MANAGER_GROUP = "cobranza_telefonica.group_cobranza_manager"
CHECKLIST_FIELDS = (
    "review_greeted",
    "review_verified",
    "review_amount_due",
    "review_options",
    "review_next_steps",
)
# What a collection manager may change on a recorded call: the checklist and the recording.
REVIEW_FIELDS = frozenset((*CHECKLIST_FIELDS, "recording", "recording_filename"))


# pylint: disable=consider-merging-classes-inherited
class CobranzaCallReview(models.Model):
    """A collection manager scores a recorded call on a short checklist and may attach its
    recording; nothing else of a call changes after it is recorded."""

    _inherit = "cobranza.call"

    recording = fields.Binary(attachment=True, copy=False)
    recording_filename = fields.Char(string="Recording file name", copy=False)
    review_greeted = fields.Boolean(string="Greeted and identified", copy=False)
    review_verified = fields.Boolean(string="Verified the debtor", copy=False)
    review_amount_due = fields.Boolean(string="Stated amount and due date", copy=False)
    review_options = fields.Boolean(string="Offered options", copy=False)
    review_next_steps = fields.Boolean(string="Agreed next steps", copy=False)
    review_score = fields.Float(
        string="Review score (%)",
        compute="_compute_review_score",
        store=True,
        aggregator="avg",
        help="Share of the checklist's items the collector did, once a manager reviewed the call.",
    )
    reviewed_by_id = fields.Many2one(
        comodel_name="res.users", string="Reviewed by", readonly=True, copy=False
    )
    review_date = fields.Datetime(string="Reviewed on", readonly=True, copy=False)

    @api.depends(*CHECKLIST_FIELDS)
    def _compute_review_score(self):
        for call in self:
            done = sum(1 for name in CHECKLIST_FIELDS if call[name])
            call.review_score = 100.0 * done / len(CHECKLIST_FIELDS)

    def write(self, vals):
        """Only the checklist and the recording, and only by a collection manager; the rest of a
        call is written by the code that records it (as superuser)."""
        if not self.env.su:
            if set(vals) - REVIEW_FIELDS:
                raise AccessError(self.env._("A recorded call cannot be changed."))
            if not self.env.user.has_group(MANAGER_GROUP):
                raise AccessError(self.env._("Only a collection manager may review a call."))
            if set(vals) & set(CHECKLIST_FIELDS):
                result = super().write(vals)
                self.sudo().write(
                    {
                        "reviewed_by_id": self.env.user.id,
                        "review_date": self.env["res.company"]._cobranza_now(),
                    }
                )
                return result
        return super().write(vals)
