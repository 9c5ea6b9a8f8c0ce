from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.account_move import CALL_INVOICE_ROWS
from ..models.cobranza_call import CONTACT_RESULTS, OUTCOMES


class CobranzaCallWizard(models.TransientModel):
    """The guided call screen: the customer's context, the script to tick and the outcome.
    Thin: it gathers the input and hands it to cobranza.call._cobranza_record()."""

    _name = "cobranza.call.wizard"
    _description = "Guided collection call"
    _check_company_auto = True

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    activity_id = fields.Many2one(comodel_name="mail.activity", ondelete="cascade")
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        default=lambda self: self.env.user,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="A collection manager may record the call for the collector who made it.",
    )
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", required=True)
    partner_wrong_number = fields.Boolean(related="partner_id.cobranza_wrong_number")
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="cobranza_call_wizard_move_rel",
        string="Invoices discussed",
        compute="_compute_move_ids",
        store=True,
        readonly=False,
        domain="[('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id), "
        "('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    context_html = fields.Html(string="Customer context", compute="_compute_context_html", sanitize=False)
    move_table_html = fields.Html(
        string="Invoices discussed (table)", compute="_compute_move_table_html", sanitize=False
    )
    script_id = fields.Many2one(
        comodel_name="cobranza.script", compute="_compute_script_id", store=True, readonly=False
    )
    line_ids = fields.One2many(
        comodel_name="cobranza.call.wizard.line",
        inverse_name="wizard_id",
        string="Script steps",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    objection_ids = fields.Many2many(
        comodel_name="cobranza.objection", string="Objections", compute="_compute_objection_ids"
    )
    objection_id = fields.Many2one(
        comodel_name="cobranza.objection",
        string="Objection raised",
        domain="[('company_id', 'in', [False, company_id])]",
        help="The objection the customer raised: its suggested answer is shown and its usual "
        "outcome proposed.",
    )
    objection_answer = fields.Text(related="objection_id.answer", string="Suggested answer")
    date_start = fields.Datetime(
        string="Start", default=lambda self: self.env["res.company"]._cobranza_now(), required=True
    )
    duration = fields.Float(
        string="Duration (minutes)",
        help="Left empty, the minutes from the start to the moment you record the call.",
    )
    # No default: the collector says who answered (a default saved unanswered calls as reached).
    contact_result = fields.Selection(selection=CONTACT_RESULTS)
    outcome = fields.Selection(selection=OUTCOMES)
    receptivity = fields.Selection(
        selection=[("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5")],
        help="How receptive the person reached was; only when someone answered.",
    )
    note = fields.Text(string="Notes")
    promise_amount = fields.Monetary(string="Amount promised", currency_field="promise_currency_id")
    promise_currency_id = fields.Many2one(
        comodel_name="res.currency", string="Promise currency", compute="_compute_promise_available"
    )
    promise_amount_available = fields.Monetary(
        string="Still to promise",
        currency_field="promise_currency_id",
        compute="_compute_promise_available",
        help="What the invoices promised still owe, less what other open promises already claim of them.",
    )
    promise_date = fields.Date(string="Promised date")
    promise_move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="cobranza_call_wizard_promise_move_rel",
        string="Invoices promised",
        compute="_compute_promise_move_ids",
        store=True,
        readonly=False,
        domain="[('id', 'in', move_ids)]",
    )
    plan_instalments = fields.Integer(string="Instalments", default=2)
    plan_interval_days = fields.Integer(string="Days between instalments", default=30)
    dispute_reason = fields.Text()
    dispute_move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="cobranza_call_wizard_dispute_move_rel",
        string="Disputed invoices",
        domain="[('id', 'in', move_ids)]",
    )
    next_call = fields.Datetime(string="Next call")

    @api.depends("partner_id", "company_id")
    def _compute_move_ids(self):
        for wizard in self:
            if wizard.partner_id and not wizard.move_ids:
                wizard.move_ids = wizard.partner_id.commercial_partner_id._cobranza_open_invoices(
                    wizard.company_id
                )

    @api.depends("move_ids")
    def _compute_promise_move_ids(self):
        """The invoices discussed (the activity's) that are not already promised in full, in one
        currency: the company's if some are in it, else the oldest invoice's; the oldest
        CALL_INVOICE_ROWS of them (a customer with thousands of open documents promises on the
        oldest; the collector adds others by hand)."""
        Promise = self.env["cobranza.promise"]
        for wizard in self:
            moves = wizard.move_ids._origin
            available = Promise._cobranza_available_amounts(moves)
            moves = moves.filtered(lambda move, a=available: not move.currency_id.is_zero(a[move.id]))
            currency = wizard.company_id.currency_id
            if currency not in moves.currency_id:
                oldest = moves._cobranza_oldest_first()[:1]
                currency = oldest.currency_id
            moves = moves.filtered(lambda move, c=currency: move.currency_id == c)
            wizard.promise_move_ids = moves._cobranza_oldest_first()[:CALL_INVOICE_ROWS]

    @api.depends("promise_move_ids", "company_id")
    def _compute_promise_available(self):
        Promise = self.env["cobranza.promise"]
        for wizard in self:
            moves = wizard.promise_move_ids._origin
            wizard.promise_currency_id = moves.currency_id[:1] or wizard.company_id.currency_id
            available = Promise._cobranza_available_amounts(moves) if len(moves.currency_id) <= 1 else {}
            wizard.promise_amount_available = sum(available.values())

    @api.depends("partner_id", "move_ids", "company_id")
    def _compute_context_html(self):
        for wizard in self:
            if not wizard.partner_id:
                wizard.context_html = False
                continue
            values = wizard.partner_id._cobranza_call_context(company=wizard.company_id)
            wizard.context_html = Markup(  # noqa: S704 - QWeb output is escaped
                self.env["ir.qweb"]._render("cobranza_telefonica.call_context", values)
            )

    @api.depends("move_ids", "company_id")
    def _compute_move_table_html(self):
        """The invoices discussed as a table read from the invoices themselves: a list of
        ``move_ids`` would compute each invoice's amounts again on the screen's new record, which
        takes seconds for a customer with thousands of open documents."""
        for wizard in self:
            company = wizard.company_id or self.env.company
            values = {
                **wizard.move_ids._origin._cobranza_call_rows(company),
                "table_class": "o_cobranza_discussed_invoices",
            }
            wizard.move_table_html = Markup(  # noqa: S704 - QWeb output is escaped
                self.env["ir.qweb"]._render("cobranza_telefonica.call_invoice_table", values)
            )

    @api.depends("partner_id", "move_ids.cobranza_level_id.script_id")
    def _compute_script_id(self):
        for wizard in self:
            today = wizard.company_id._cobranza_today()
            if not wizard.partner_id:
                wizard.script_id = False
                continue
            moves = (
                wizard.move_ids._origin
                or wizard.partner_id.commercial_partner_id._cobranza_open_invoices(wizard.company_id)
            )
            partner = wizard.partner_id.commercial_partner_id
            # The highest follow-up level reached names its script; else the days decide.
            level = moves.cobranza_level_id.sorted("day_offset", reverse=True)[:1]
            if level.script_id and level.script_id.debtor_type in (False, partner.cobranza_debtor_type):
                wizard.script_id = level.script_id
                continue
            figure = partner._cobranza_figure(wizard.company_id)
            days = figure.days_overdue(today) if figure.oldest_overdue else 0
            if not figure.oldest_overdue and figure.oldest_open:
                days = (today - figure.oldest_open).days  # before the due date: negative
            wizard.script_id = self.env["cobranza.script"]._cobranza_find(
                days, partner.cobranza_debtor_type, wizard.company_id
            )

    @api.depends("script_id", "move_ids")
    def _compute_line_ids(self):
        for wizard in self:
            commands = [fields.Command.clear()]
            if wizard.script_id and wizard.partner_id:
                values = wizard.partner_id.commercial_partner_id._cobranza_script_values(
                    moves=wizard.move_ids._origin, company=wizard.company_id
                )
                for step, html in wizard.script_id._render_steps(values):
                    commands.append(
                        fields.Command.create(
                            {"step_id": step.id, "sequence": step.sequence, "text_html": html}
                        )
                    )
            wizard.line_ids = commands

    @api.depends("company_id")
    def _compute_objection_ids(self):
        """The objections of the call's company (and the shared ones): with a dependency, the
        screen computes them when it opens (without one they never reached it)."""
        Objection = self.env["cobranza.objection"]
        for wizard in self:
            company = wizard.company_id or self.env.company
            wizard.objection_ids = Objection.search([("company_id", "in", [False, company.id])])

    @api.onchange("objection_id")
    def _onchange_objection_id(self):
        """An objection is raised by someone who answered: propose its usual outcome (the
        collector may change it)."""
        if not self.objection_id.outcome:
            return
        if self.contact_result not in ("debtor", "third_party"):
            self.contact_result = "debtor"
        self.outcome = self.objection_id.outcome

    @api.onchange("contact_result", "outcome")
    def _onchange_next_call(self):
        """Propose the next call the contact gate allows (hours, days, holidays, weekly limit)."""
        if (
            not self.next_call
            and self.partner_id
            and self.contact_result
            and (self.contact_result != "debtor" or self.outcome == "call_back")
        ):
            self.next_call = self.env["cobranza.call"]._cobranza_propose_next_call(
                self.partner_id, self.contact_result, counted_now=self.outcome != "call_back"
            )

    def _prepare_call_values(self):
        self.ensure_one()
        return {
            "user_id": self.user_id,
            "partner_id": self.partner_id.commercial_partner_id,
            "activity_id": self.activity_id,
            "move_ids": self.move_ids,
            "script_id": self.script_id,
            "step_ids": self.line_ids.filtered("done").step_id,
            "date_start": self.date_start,
            "duration": self.duration,
            "contact_result": self.contact_result,
            "outcome": self.outcome,
            "receptivity": self.receptivity,
            "note": self.note,
            "promise_amount": self.promise_amount,
            "promise_date": self.promise_date,
            "promise_move_ids": self.promise_move_ids,
            "plan_instalments": self.plan_instalments,
            "plan_interval_days": self.plan_interval_days,
            "dispute_reason": self.dispute_reason,
            "dispute_move_ids": self.dispute_move_ids,
            "next_call": self.next_call,
        }

    def _cobranza_check_company(self):
        """The screen acts for its company only while the user works in it."""
        self.ensure_one()
        if self.company_id not in self.env.companies:
            raise UserError(
                self.env._(
                    "Select the company %(company)s to record this call.", company=self.company_id.name
                )
            )

    def _cobranza_record_call(self):
        self._cobranza_check_company()
        return (
            self.env["cobranza.call"]
            .with_company(self.company_id)
            ._cobranza_record(self._prepare_call_values())
        )

    def action_confirm(self):
        """Record the call and what follows; close the screen."""
        call = self._cobranza_record_call()
        return self._cobranza_notify(
            self.env._("Call recorded: %(result)s", result=call._feedback_text()),
            {"type": "ir.actions.act_window_close"},
        )

    def action_confirm_next(self):
        """Record the call, then open the screen of the next call of the collector's queue (the
        queue's order, blocked calls skipped); with none left, back to the queue."""
        # Recording closes the activity, which deletes this screen with it: read it first.
        Activity = self.env["mail.activity"].with_company(self.company_id)
        done = Activity.browse(self.activity_id.id)
        call = self._cobranza_record_call()
        recorded = self.env._("Call recorded: %(result)s", result=call._feedback_text())
        for activity in Activity._cobranza_queue_next(exclude=done):
            if not activity._cobranza_call_block(activity.cobranza_partner_id):
                return self._cobranza_notify(recorded, activity.action_cobranza_start_call())
        return self._cobranza_notify(
            recorded + " " + self.env._("No more calls in your queue for today."),
            Activity.action_cobranza_my_calls(),
        )

    def _cobranza_notify(self, message, next_action):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success", "message": message, "next": next_action},
        }

    def _cobranza_reopen(self):
        """This screen again, as it is (a button of a dialog closes it unless it returns an action)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Collection call: %(customer)s", customer=self.partner_id.display_name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {**self.env.context, "dialog_size": "extra-large"},
        }

    def action_cobranza_send_payment_details(self):
        """E-mail the customer the documents discussed (else all its open ones), the link to its
        collection page and the transfer data, through the contact gate; the screen stays open."""
        self._cobranza_check_company()
        partner = self.partner_id.commercial_partner_id
        moves = self.move_ids._origin or partner._cobranza_open_invoices(self.company_id)
        recipient = self.partner_id._cobranza_send_payment_details(self.company_id, moves)
        return self._cobranza_notify(
            self.env._("Payment details sent to %(email)s.", email=recipient.email),
            self._cobranza_reopen(),
        )

    def action_cobranza_whatsapp(self):
        """Open a WhatsApp chat with the customer, the message prefilled, through the contact gate
        (the screen stays open)."""
        self._cobranza_check_company()
        return self.partner_id._cobranza_open_whatsapp(self.company_id)


class CobranzaCallWizardLine(models.TransientModel):
    """A step of the script on the call screen, with its rendered text and a tick."""

    _name = "cobranza.call.wizard.line"
    _description = "Guided call: script step"
    _order = "sequence, id"

    wizard_id = fields.Many2one(comodel_name="cobranza.call.wizard", required=True, ondelete="cascade")
    step_id = fields.Many2one(comodel_name="cobranza.script.step", required=True, ondelete="cascade")
    sequence = fields.Integer()
    kind = fields.Selection(related="step_id.kind")
    name = fields.Char(related="step_id.name")
    text_html = fields.Html(string="Say", sanitize=False, readonly=True)
    done = fields.Boolean()
