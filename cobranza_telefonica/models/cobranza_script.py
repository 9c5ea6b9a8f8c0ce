from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..services import script_render

STAGES = [
    ("preventive", "Preventive (before due)"),
    ("due", "Due day"),
    ("overdue", "Overdue"),
    ("late", "60+ days overdue"),
]


class CobranzaScript(models.Model):
    """A guided call script: ordered steps for customers in a range of days overdue and of a
    debtor segment."""

    _name = "cobranza.script"
    _description = "Call script"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company", index=True, help="Leave empty to share the script with every company."
    )
    stage = fields.Selection(selection=STAGES, required=True, default="overdue")
    days_min = fields.Integer(
        string="From days overdue", default=-3650, help="Negative: days before the due date."
    )
    days_max = fields.Integer(string="To days overdue", default=36500)
    debtor_type = fields.Selection(
        selection=[("person", "Natural person"), ("company", "Company")],
        string="Debtor segment",
        help="Leave empty for every debtor.",
    )
    step_ids = fields.One2many(
        comodel_name="cobranza.script.step", inverse_name="script_id", string="Steps", copy=True
    )
    step_count = fields.Integer(compute="_compute_step_count")
    preview_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Preview for",
        store=False,
        domain="[('customer_rank', '>', 0)]",
        help="Render the script with this customer's figures.",
    )
    preview_html = fields.Html(compute="_compute_preview_html", sanitize=False)

    @api.constrains("days_min", "days_max")
    def _check_days(self):
        for script in self:
            if script.days_min > script.days_max:
                raise ValidationError(
                    self.env._(
                        "Script %(name)s: 'From days overdue' must not be greater than 'To days overdue'.",
                        name=script.name,
                    )
                )

    @api.depends("step_ids")
    def _compute_step_count(self):
        for script in self:
            script.step_count = len(script.step_ids)

    @api.depends("preview_partner_id", "step_ids.text", "step_ids.name", "step_ids.sequence")
    def _compute_preview_html(self):
        for script in self:
            partner = script.preview_partner_id.commercial_partner_id
            if not partner:
                script.preview_html = False
                continue
            values = partner._cobranza_script_values()
            script.preview_html = script._render_html(values)

    def _render_steps(self, values):
        """Return [(step, rendered HTML)] for the steps of this script, in order."""
        self.ensure_one()
        return [(step, step._render(values)) for step in self.step_ids.sorted(lambda s: (s.sequence, s.id))]

    def _render_html(self, values):
        """The whole script as HTML, one numbered block per step."""
        return self.env["ir.qweb"]._render(
            "cobranza_telefonica.script_preview",
            {"steps": self._render_steps(values)},
        )

    @api.model
    def _cobranza_find(self, days_overdue, debtor_type, company):
        """The script for a customer ``days_overdue`` days past its oldest due date: the first by
        sequence whose range holds the days, preferring one made for the debtor segment."""
        candidates = self.search(
            [
                ("company_id", "in", [False, company.id]),
                ("days_min", "<=", days_overdue),
                ("days_max", ">=", days_overdue),
                ("debtor_type", "in", [False, debtor_type]),
            ]
        )
        return candidates.sorted(lambda s: (not s.debtor_type, s.sequence, s.id))[:1]


class CobranzaScriptStep(models.Model):
    """One step of a call script; its text holds {placeholders} rendered with live figures."""

    _name = "cobranza.script.step"
    _description = "Call script step"
    _order = "script_id, sequence, id"

    script_id = fields.Many2one(comodel_name="cobranza.script", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="script_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        selection=[
            ("greet", "Greet and identify"),
            ("verify", "Verify"),
            ("state", "State the reason"),
            ("listen", "Listen / objections"),
            ("offer", "Offer payment options"),
            ("agree", "Agree plan and date"),
            ("confirm", "Confirm next steps"),
            ("thank", "Thank"),
        ],
        required=True,
        default="state",
    )
    name = fields.Char(string="Title", required=True)
    text = fields.Text(
        help="What the collector says. Placeholders: " + script_render.braced(script_render.PLACEHOLDERS),
    )

    @api.constrains("text")
    def _check_placeholders(self):
        for step in self:
            unknown = script_render.unknown_placeholders(step.text)
            if unknown:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s uses unknown placeholders: %(unknown)s. "
                        "Known placeholders: %(known)s.",
                        step=step.name,
                        unknown=script_render.braced(unknown),
                        known=script_render.braced(script_render.PLACEHOLDERS),
                    )
                )

    def _render(self, values):
        """This step's text as safe HTML with ``values`` filled in."""
        self.ensure_one()
        return Markup(script_render.render(self.text or "", values))  # noqa: S704 - escaped by render()
