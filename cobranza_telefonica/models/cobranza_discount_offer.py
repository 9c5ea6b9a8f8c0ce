import logging
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, format_amount, format_date

from ..services import discount

_logger = logging.getLogger(__name__)

OPEN_STATES = ("proposed", "approved", "offered")
# Written by the offer's own code (as superuser) only, whatever a user sends by RPC.
DECIDED_FIELDS = frozenset(
    {
        "state",
        "date_offered",
        "approved_by_id",
        "date_approved",
        "amount_paid",
        "amount_short",
        "date_decided",
        "needs_approval",
        "amount_discount",
        "amount_to_pay",
        "amount_open",
        "amount_discount_company",
        "currency_id",
    }
)
MANAGER_GROUP = "cobranza_telefonica.group_cobranza_manager"


class CobranzaDiscountOffer(models.Model):
    """The concrete discount offered to one customer on some of its invoices under a rule: how
    much per invoice, until when, who offered and approved it. Applied (a DTE 61 credit note per
    invoice, reconciled with it) when the money paid on its invoices by the deadline covers the
    discounted total; expired otherwise."""

    _name = "cobranza.discount.offer"
    _description = "Discount offer"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_offered desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", required=True, index=True, check_company=True
    )
    rule_id = fields.Many2one(
        comodel_name="cobranza.discount.rule",
        required=True,
        index=True,
        check_company=True,
        ondelete="restrict",
    )
    kind = fields.Selection(related="rule_id.kind", store=True)
    call_id = fields.Many2one(
        comodel_name="cobranza.call", index="btree_not_null", ondelete="set null", check_company=True
    )
    line_ids = fields.One2many(
        comodel_name="cobranza.discount.offer.line", inverse_name="offer_id", string="Invoices"
    )
    move_ids = fields.Many2many(
        comodel_name="account.move", string="Invoices offered", compute="_compute_move_ids"
    )
    requested_percent = fields.Float(
        string="Settlement discount (%)",
        digits=(5, 2),
        help="Settlement only: the percentage offered (default the rule's); early payment uses the "
        "rule's tiers.",
    )
    deadline = fields.Date(
        required=True, tracking=True, help="Payments dated up to this day earn the discount."
    )
    state = fields.Selection(
        selection=[
            ("proposed", "Proposed"),
            ("approved", "Approved"),
            ("offered", "Offered"),
            ("applied", "Applied"),
            ("expired", "Expired"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="proposed",
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    user_id = fields.Many2one(
        comodel_name="res.users", string="Offered by", default=lambda self: self.env.user, readonly=True
    )
    date_offered = fields.Date(string="Offered on", readonly=True, copy=False)
    approved_by_id = fields.Many2one(
        comodel_name="res.users", string="Approved by", readonly=True, copy=False
    )
    date_approved = fields.Date(string="Approved on", readonly=True, copy=False)
    date_decided = fields.Date(string="Decided on", readonly=True, copy=False)
    needs_approval = fields.Boolean(
        readonly=True,
        copy=False,
        help="Above the rule's approval limit: a collection manager must approve it.",
    )
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    amount_open = fields.Monetary(string="Open amount", readonly=True, aggregator=None)
    amount_discount = fields.Monetary(string="Discount", readonly=True, aggregator=None)
    amount_to_pay = fields.Monetary(string="To pay by the deadline", readonly=True, aggregator=None)
    amount_discount_company = fields.Monetary(
        string="Discount (company currency)", currency_field="company_currency_id", readonly=True
    )
    amount_paid_company = fields.Monetary(
        string="Collected (company currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_paid_company",
        store=True,
        help="Paid by the deadline on an applied offer, in company currency at the rate of the day it "
        "was offered: what the discount helped collect.",
    )
    amount_paid = fields.Monetary(
        string="Paid by the deadline",
        readonly=True,
        copy=False,
        aggregator=None,
        help="Money only, not credit notes.",
    )
    amount_short = fields.Monetary(
        string="Short by",
        readonly=True,
        copy=False,
        aggregator=None,
        help="What the payments fell short of the discounted total.",
    )
    credit_note_ids = fields.Many2many(
        comodel_name="account.move",
        string="Credit notes",
        compute="_compute_credit_note_ids",
        help="The credit notes (or, for a financial discount, the journal entries) that applied it.",
    )
    note = fields.Text(string="Notes")

    @api.depends("partner_id.display_name", "deadline")
    def _compute_name(self):
        for offer in self:
            offer.name = f"{offer.partner_id.display_name or ''} · {offer.deadline or ''}"

    @api.depends("amount_paid", "state", "currency_id", "date_offered")
    def _compute_amount_paid_company(self):
        for offer in self:
            if offer.state != "applied" or not offer.currency_id:
                offer.amount_paid_company = 0.0
                continue
            offer.amount_paid_company = offer.currency_id._convert(
                offer.amount_paid,
                offer.company_currency_id,
                offer.company_id,
                offer.date_offered or offer._cobranza_today(),
            )

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for offer in self:
            offer.move_ids = offer.line_ids.move_id

    @api.depends("line_ids.credit_note_id")
    def _compute_credit_note_ids(self):
        for offer in self:
            offer.credit_note_ids = offer.line_ids.credit_note_id

    # ------------------------------------------------------------------
    # Writes nobody can forge
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if (
                    DECIDED_FIELDS.intersection(vals) - {"state"}
                    or vals.get("state", "proposed") != "proposed"
                ):
                    raise AccessError(
                        self.env._(
                            "A discount offer is made proposed; its amounts and states are decided "
                            "by the module."
                        )
                    )
                vals.pop("user_id", None)
        for vals in vals_list:
            if "requested_percent" not in vals and vals.get("rule_id"):
                rule = self.env["cobranza.discount.rule"].browse(vals["rule_id"])
                if rule.kind == "settlement":
                    vals["requested_percent"] = rule.settlement_percent
        offers = super().create(vals_list)
        offers._cobranza_compute()
        offers._cobranza_ask_approval()
        return offers

    def write(self, vals):
        if not self.env.su and (DECIDED_FIELDS | {"user_id"}).intersection(vals):
            raise AccessError(
                self.env._(
                    "The state, amounts and approval of a discount offer are decided by the module only."
                )
            )
        if {"line_ids", "partner_id", "rule_id", "company_id", "requested_percent", "deadline"} & set(vals):
            self._cobranza_check_editable()
        res = super().write(vals)
        if {"line_ids", "partner_id", "rule_id", "company_id", "requested_percent", "deadline"} & set(vals):
            self._cobranza_compute()
        return res

    def _cobranza_check_editable(self):
        if not self.env.su and self.filtered(lambda o: o.state != "proposed"):
            raise UserError(self.env._("A discount offer cannot change once it is approved or offered."))

    # ------------------------------------------------------------------
    # Amounts, from the rule and the receivable figure
    # ------------------------------------------------------------------

    def _cobranza_today(self):
        self.ensure_one()
        return self.company_id._cobranza_today()

    def _cobranza_check_moves(self):
        """Spanish errors for invoices that cannot be offered a discount: not this customer's
        posted, open customer invoices of this company in one currency, with no other open offer
        and without the payment term's own early discount (never both on one invoice)."""
        self.ensure_one()
        moves = self.line_ids.move_id
        today = self._cobranza_today()
        if not moves:
            raise ValidationError(self.env._("A discount offer needs at least one invoice."))
        if len(moves) != len(self.line_ids):
            raise ValidationError(self.env._("An invoice appears twice in the discount offer."))
        for move in moves:
            name = move.display_name
            if move.company_id != self.company_id:
                raise ValidationError(
                    self.env._("%(move)s belongs to another company than the offer.", move=name)
                )
            if move.move_type != "out_invoice" or move.state != "posted":
                raise ValidationError(
                    self.env._(
                        "%(move)s is not a posted customer invoice: no discount can be offered on it.",
                        move=name,
                    )
                )
            if move.payment_state in ("paid", "in_payment", "reversed") or move.currency_id.is_zero(
                move.amount_residual
            ):
                raise ValidationError(self.env._("%(move)s is already paid.", move=name))
            if move.commercial_partner_id != self.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "%(move)s is not an invoice of %(customer)s.",
                        move=name,
                        customer=self.partner_id.display_name,
                    )
                )
            if self.rule_id._cobranza_term_discount_blocks(move, today):
                if self.rule_id.payment_term_discount == "never":
                    raise ValidationError(
                        self.env._(
                            "%(move)s already has the early-payment discount of its payment term: a "
                            "collection discount is never added to it.",
                            move=name,
                        )
                    )
                raise ValidationError(
                    self.env._(
                        "%(move)s has the early-payment discount of its payment term until %(date)s: the "
                        "rule %(rule)s offers its own discount only from the day after.",
                        move=name,
                        date=format_date(self.env, self.rule_id._cobranza_term_discount_until(move)),
                        rule=self.rule_id.name,
                    )
                )
        if len(moves.currency_id) > 1:
            raise ValidationError(
                self.env._("A discount offer is in one currency: its invoices are in several.")
            )
        if self.rule_id.currency_id and moves.currency_id != self.rule_id.currency_id:
            raise ValidationError(
                self.env._(
                    "The rule %(rule)s is for documents in %(currency)s, the invoices are in "
                    "%(invoice_currency)s.",
                    rule=self.rule_id.name,
                    currency=self.rule_id.currency_id.name,
                    invoice_currency=moves.currency_id.name,
                )
            )
        # Two collectors offering on one invoice at once: the second waits, then sees the first.
        self.env["cobranza.promise"]._cobranza_lock_moves(moves)
        others = self.search(
            [("id", "!=", self.id), ("state", "in", OPEN_STATES), ("line_ids.move_id", "in", moves.ids)],
            limit=1,
        )
        if others:
            raise ValidationError(
                self.env._(
                    "%(moves)s already has an open discount offer (%(offer)s): cancel it first.",
                    moves=", ".join((others.line_ids.move_id & moves).mapped("display_name")),
                    offer=others.display_name,
                )
            )

    @api.model
    def _cobranza_tax_groups(self, move):
        """The invoice's lines grouped by their taxes: services.discount.TaxGroup with the net
        base (document currency) and the rates; only plain percentage taxes excluded from the
        price can be reduced by the module."""
        bases = defaultdict(float)
        taxes_of = {}
        for line in move.invoice_line_ids.filtered(lambda line: line.display_type == "product"):
            key = tuple(sorted(line.tax_ids.ids))
            bases[key] += line.price_subtotal
            taxes_of[key] = line.tax_ids
        groups = []
        for key, base in bases.items():
            taxes = taxes_of[key]
            if any(tax.amount_type != "percent" or tax.price_include for tax in taxes):
                raise UserError(
                    self.env._(
                        "%(move)s has taxes that are not a plain percentage excluded from the price "
                        "(%(taxes)s): its discount cannot be computed by tax line.",
                        move=move.display_name,
                        taxes=", ".join(taxes.mapped("name")),
                    )
                )
            groups.append(discount.TaxGroup(key, base, tuple(taxes.mapped("amount"))))
        return groups

    @api.model
    def _cobranza_pairs(self, rule, move, instalments, deadline, percent):
        """[(open amount, percent)] of one invoice's open instalments under ``rule`` when paid by
        ``deadline`` (early payment: each instalment's tier; settlement: ``percent``)."""
        if rule.kind == "early":
            tiers = [discount.Tier(tier.days_before, tier.percent) for tier in rule.tier_ids]
            pairs = []
            for due, amount, _company_amount, _days in instalments:
                tier = discount.early_tier(tiers, due, deadline)
                pairs.append((amount, tier.percent if tier else 0.0))
            if not any(percent for _amount, percent in pairs):
                raise ValidationError(
                    self.env._(
                        "%(move)s earns no early-payment discount under %(rule)s if paid by %(deadline)s.",
                        move=move.display_name,
                        rule=rule.name,
                        deadline=format_date(self.env, deadline),
                    )
                )
            return pairs
        days = max((days for _due, _amount, _company, days in instalments), default=0)
        if not discount.settlement_applies(days, rule.min_days_overdue):
            raise ValidationError(
                self.env._(
                    "%(move)s is %(days)s days overdue: the settlement rule %(rule)s needs %(min)s or more.",
                    move=move.display_name,
                    days=days,
                    rule=rule.name,
                    min=rule.min_days_overdue,
                )
            )
        return [(amount, percent) for _due, amount, _company, _days in instalments]

    @api.model
    def _cobranza_quote(self, rule, move, instalments, deadline, percent=0.0):
        """The discount ``rule`` gives on ``move`` (its open ``instalments`` from the receivable
        figure) paid by ``deadline``: the offer line's values, in the invoice's currency, net and
        VAT as the credit note will carry them. A Spanish ValidationError when it gives nothing."""
        currency = move.currency_id
        digits = currency.decimal_places
        open_amount = currency.round(sum(row[1] for row in instalments))
        pairs = self._cobranza_pairs(rule, move, instalments, deadline, percent)
        weight = discount.discount_weight(pairs, move.amount_total)
        reductions = discount.split(self._cobranza_tax_groups(move), weight, digits)
        amount = discount.total(reductions, digits)
        net = discount.currency_round(sum(r.net for r in reductions), digits)
        return {
            "percent": round(100.0 * amount / open_amount, 2) if open_amount else 0.0,
            "weight": weight,
            "amount_open": open_amount,
            "amount_net": net,
            "amount_tax": discount.currency_round(amount - net, digits),
            "amount_discount": amount,
            "amount_to_pay": currency.round(open_amount - amount),
        }

    def _cobranza_compute(self):
        """Check the offer and write its amounts (as superuser: nobody else writes them)."""
        for offer in self.filtered(lambda o: o.state == "proposed"):
            today = offer._cobranza_today()
            rule = offer.rule_id
            if offer.deadline < today:
                raise ValidationError(
                    self.env._(
                        "The deadline %(deadline)s is in the past.",
                        deadline=format_date(self.env, offer.deadline),
                    )
                )
            if not discount.in_window(today, rule.date_from or None, rule.date_to or None):
                raise ValidationError(self.env._("The rule %(rule)s is not valid today.", rule=rule.name))
            if rule.kind == "settlement":
                errors = discount.percent_errors(offer.requested_percent, rule.max_percent)
                if errors:
                    raise ValidationError(rule._cobranza_percent_message(errors[0], offer.requested_percent))
            offer._cobranza_check_moves()
            instalments = self.env["cobranza.receivable"]._cobranza_instalments(offer.line_ids.move_id)
            currency = offer.line_ids.move_id.currency_id
            totals = defaultdict(float)
            max_percent = 0.0
            for line in offer.line_ids:
                move = line.move_id
                open_amount = currency.round(sum(row[1] for row in instalments[move.id]))
                if not rule._cobranza_matches(move, open_amount, today):
                    raise ValidationError(
                        self.env._(
                            "The rule %(rule)s does not cover %(move)s (customer, document, currency, amount "
                            "or validity).",
                            rule=rule.name,
                            move=move.display_name,
                        )
                    )
                values = offer._cobranza_quote(
                    rule, move, instalments[move.id], offer.deadline, offer.requested_percent
                )
                max_percent = max(max_percent, values["percent"])
                line.sudo().write(values)
                amount = values["amount_discount"]
                totals["open"] += open_amount
                totals["discount"] += amount
            amount_company = currency._convert(
                totals["discount"], offer.company_currency_id, offer.company_id, today
            )
            offer.sudo().write(
                {
                    "currency_id": currency.id,
                    "amount_open": currency.round(totals["open"]),
                    "amount_discount": currency.round(totals["discount"]),
                    "amount_to_pay": currency.round(totals["open"] - totals["discount"]),
                    "amount_discount_company": amount_company,
                    "needs_approval": discount.needs_approval(
                        max_percent, amount_company, rule.approval_percent, rule.approval_amount
                    ),
                }
            )

    @api.model
    def _cobranza_quotes(self, moves, kinds=("early", "settlement")):
        """What each of ``moves`` can get today, for the script and the e-mails: the open offer
        that holds it (approved or offered), else what its rule gives on the company's day
        (early payment: the best tier reachable today, until its last day; settlement: the
        rule's percentage for the rule's days to pay). Quotes that would need a manager's
        approval are left out. A list of dicts (move, percent, discount, to_pay, deadline)."""
        moves = moves.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and m.payment_state in ("not_paid", "partial")
            )
        )
        if not moves:
            return []
        lines = (
            self.env["cobranza.discount.offer.line"]
            .sudo()
            .search([("move_id", "in", moves.ids), ("offer_id.state", "in", ("approved", "offered"))])
        )
        held = {line.move_id.id: line for line in lines}
        # Rules searched once (one query per e-mail or call when a company has none).
        found = (
            self.env["cobranza.discount.rule"]
            .sudo()
            .search([("company_id", "in", moves.company_id.ids), ("kind", "in", list(kinds))])
        )
        rules = {
            (company.id, kind): found.filtered(lambda r, c=company, k=kind: r.company_id == c and r.kind == k)
            for company in moves.company_id
            for kind in kinds
        }
        quoted = moves.filtered(
            lambda m: m.id not in held and found.filtered(lambda r: r.company_id == m.company_id)
        )
        instalments = self.env["cobranza.receivable"]._cobranza_instalments(quoted) if quoted else {}
        quotes = []
        for move in moves:
            line = held.get(move.id)
            if line:
                if line.offer_id.kind in kinds:
                    quotes.append(
                        {
                            "move": move,
                            "percent": line.percent,
                            "discount": line.amount_discount,
                            "to_pay": line.amount_to_pay,
                            "deadline": line.offer_id.deadline,
                        }
                    )
                continue
            rows = instalments.get(move.id)
            if not rows:
                continue
            today = move.company_id._cobranza_today()
            open_amount = move.currency_id.round(sum(row[1] for row in rows))
            for kind in kinds:
                candidates = rules[(move.company_id.id, kind)]
                rule = next((r for r in candidates if r._cobranza_matches(move, open_amount, today)), None)
                if not rule or rule._cobranza_term_discount_blocks(move, today):
                    continue
                if kind == "early":
                    tiers = [discount.Tier(tier.days_before, tier.percent) for tier in rule.tier_ids]
                    tier = discount.early_tier(tiers, rows[0][0], today)
                    if not tier:
                        continue
                    deadline, percent = rows[0][0] - timedelta(days=tier.days), 0.0
                else:
                    deadline, percent = today + timedelta(days=rule.offer_days), rule.settlement_percent
                if rule.date_to and deadline > rule.date_to:
                    deadline = rule.date_to
                try:
                    values = self._cobranza_quote(rule, move, rows, deadline, percent)
                except (UserError, ValidationError):
                    continue
                amount_company = move.currency_id._convert(
                    values["amount_discount"], move.company_id.currency_id, move.company_id, today
                )
                if discount.needs_approval(
                    values["percent"], amount_company, rule.approval_percent, rule.approval_amount
                ):
                    continue
                quotes.append(
                    {
                        "move": move,
                        "percent": values["percent"],
                        "discount": values["amount_discount"],
                        "to_pay": values["amount_to_pay"],
                        "deadline": deadline,
                    }
                )
                break
        return quotes

    @api.model
    def _cobranza_quote_texts(self, moves, kinds=("early", "settlement")):
        """The quotes of ``moves`` as sentences to read aloud or to e-mail."""
        by_move = self._cobranza_quote_texts_by_move(moves, kinds)
        return [text for move in moves for text in by_move.get(move.id, [])]

    @api.model
    def _cobranza_quote_texts_by_move(self, moves, kinds=("early", "settlement")):
        """{invoice id: its quotes as sentences}, for many invoices in a few queries."""
        texts = {}
        for quote in self._cobranza_quotes(moves, kinds):
            move = quote["move"]
            texts.setdefault(move.id, []).append(
                self.env._(
                    "%(doc_type)s %(folio)s: pay %(to_pay)s by %(deadline)s and save %(discount)s "
                    "(%(percent)s %%)",
                    doc_type=move.l10n_latam_document_type_id.name or "",
                    folio=move.l10n_latam_document_number or move.name,
                    to_pay=format_amount(self.env, quote["to_pay"], move.currency_id),
                    deadline=format_date(self.env, quote["deadline"]),
                    discount=format_amount(self.env, quote["discount"], move.currency_id),
                    percent=quote["percent"],
                )
            )
        return texts

    # ------------------------------------------------------------------
    # Approval and offering
    # ------------------------------------------------------------------

    def _cobranza_is_manager(self):
        return self.env.su or self.env.user.has_group(MANAGER_GROUP)

    def _cobranza_managers(self):
        self.ensure_one()
        group = self.env.ref(MANAGER_GROUP)
        return group.sudo().users.filtered(lambda u: self.company_id in u.company_ids and not u.share)

    def _cobranza_ask_approval(self):
        """Offers above the approval limit wait for a manager: an activity for one, a chatter trace."""
        for offer in self.filtered(lambda o: o.needs_approval and o.state == "proposed"):
            message = self.env._(
                "Discount of %(amount)s (%(percent)s %%) above the approval limit of %(rule)s: a collection "
                "manager must approve it.",
                amount=format_amount(self.env, offer.amount_discount, offer.currency_id),
                percent=max(offer.line_ids.mapped("percent")),
                rule=offer.rule_id.name,
            )
            offer.message_post(body=message)
            manager = offer._cobranza_managers()[:1]
            if manager:
                offer.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=manager.id,
                    summary=self.env._("Approve a discount offer"),
                    note=message,
                )

    def action_approve(self):
        """A collection manager approves an offer (needed above the rule's approval limit)."""
        if not self._cobranza_is_manager():
            raise AccessError(self.env._("Only a collection manager can approve a discount offer."))
        for offer in self:
            if offer.state != "proposed":
                raise UserError(self.env._("Only a proposed discount offer can be approved."))
            offer._cobranza_compute()
            offer.sudo().write(
                {
                    "state": "approved",
                    "approved_by_id": self.env.user.id,
                    "date_approved": offer._cobranza_today(),
                }
            )
            offer.activity_ids.sudo().action_feedback(feedback=self.env._("Approved"))
        return True

    def action_reject(self):
        if not self._cobranza_is_manager():
            raise AccessError(self.env._("Only a collection manager can reject a discount offer."))
        for offer in self:
            if offer.state not in ("proposed", "approved"):
                raise UserError(self.env._("Only a proposed or approved discount offer can be rejected."))
            offer.sudo().write({"state": "rejected", "date_decided": offer._cobranza_today()})
            offer.activity_ids.sudo().unlink()
        return True

    def action_offer(self):
        """The discount is told to the customer: from now on payments by the deadline earn it."""
        for offer in self:
            if offer.state == "proposed":
                offer._cobranza_compute()
                if offer.needs_approval:
                    raise UserError(
                        self.env._(
                            "This discount is above the approval limit of its rule: it waits for a "
                            "collection "
                            "manager's approval."
                        )
                    )
            elif offer.state != "approved":
                raise UserError(self.env._("Only a proposed or approved discount offer can be offered."))
            offer.sudo().write({"state": "offered", "date_offered": offer._cobranza_today()})
        self._cobranza_evaluate()
        return True

    def action_cancel(self):
        for offer in self:
            if offer.state not in OPEN_STATES:
                raise UserError(self.env._("Only an open discount offer can be cancelled."))
            offer.sudo().write({"state": "cancelled", "date_decided": offer._cobranza_today()})
            offer.activity_ids.sudo().unlink()
        return True

    def action_evaluate(self):
        self._cobranza_evaluate()
        return True

    # ------------------------------------------------------------------
    # Applying it, from real money
    # ------------------------------------------------------------------

    def _cobranza_evaluate(self):
        """Apply the offered discounts whose invoices received, in payments dated from the day
        of the offer to its deadline, at least the discounted total; expire the others once the
        deadline has passed, saying how much they fell short. Return the offers decided."""
        offers = self.filtered(lambda o: o.state == "offered")
        if not offers:
            return self.browse()
        reconciled = self.env["cobranza.promise"]._cobranza_reconciled_by_invoice(offers.line_ids.move_id)
        decided = self.browse()
        for offer in offers:
            today = offer._cobranza_today()
            paid = offer.currency_id.round(
                sum(
                    amount
                    for move in offer.line_ids.move_id
                    for day, amount in reconciled[move.id]["money"]
                    if offer.date_offered <= day <= offer.deadline
                )
            )
            rounding = offer.currency_id.rounding
            if float_compare(paid, offer.amount_to_pay, precision_rounding=rounding) >= 0:
                offer._cobranza_apply(today, paid)
                decided |= offer
            elif today > offer.deadline:
                offer.sudo().write(
                    {
                        "state": "expired",
                        "date_decided": today,
                        "amount_paid": paid,
                        "amount_short": offer.currency_id.round(offer.amount_to_pay - paid),
                    }
                )
                offer.message_post(
                    body=self.env._(
                        "Expired: the payments by the deadline fell short of the discounted total by "
                        "%(short)s; "
                        "they are applied as normal payments.",
                        short=format_amount(self.env, offer.amount_short, offer.currency_id),
                    )
                )
                decided |= offer
            elif float_compare(paid, offer.amount_paid, precision_rounding=rounding):
                offer.sudo().write({"amount_paid": paid, "amount_short": offer.amount_to_pay - paid})
        return decided

    @contextmanager
    def _cobranza_own_sync(self):
        """Let the credit notes made here be synchronised and balance-checked by the accounting
        even when a payment's reconciliation (which suspends both for the entries it is
        writing) is what triggered the discount."""
        stack = self.env.cr.cache.get("account_disable_recursion_stack")
        if stack is None:
            yield
            return
        stack.pushmap({"skip_invoice_sync": False, "check_move_validity": True})
        try:
            yield
        finally:
            stack.popmap()

    def _cobranza_apply(self, today, paid):
        """Document the discount with one credit note per invoice and reconcile it."""
        self.ensure_one()
        self.sudo().write(
            {"state": "applied", "date_decided": today, "amount_paid": paid, "amount_short": 0.0}
        )
        financial = self.company_id.cobranza_discount_method == "financial"
        with self._cobranza_own_sync():
            for line in self.line_ids:
                make = self._cobranza_financial_entry if financial else self._cobranza_credit_note
                line.sudo().credit_note_id = make(line, today)
        # Each note is matched with its own invoice first; where one payment paid an invoice of
        # the offer in full, what its note leaves settles the others.
        posted = self.line_ids.credit_note_id.filtered(lambda m: m.state == "posted")
        if posted:
            self._cobranza_reconcile(
                (self.line_ids.move_id | posted).with_context(cobranza_discount_applying=True).sudo()
            )
        links = Markup(", ").join(refund._get_html_link() for refund in self.line_ids.credit_note_id)
        label = (
            self.env._("Financial discount applied with the entries")
            if financial
            else self.env._("Discount applied with the credit notes")
        )
        self.message_post(body=Markup("%s %s") % (label, links))

    def _cobranza_reason(self):
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        if self.kind == "early":
            return env._("Early-payment discount")
        return env._("Settlement discount")

    def _cobranza_credit_note(self, line, today):
        """A credit note (DTE 61 where the journal uses documents) made by Odoo's reversal of the
        invoice, its lines replaced by the discount per tax line (net reduced, VAT recomputed),
        posted per company setting and reconciled with the invoice."""
        # A clean environment: the payment's reconciliation that got here runs with contexts
        # (skip_invoice_sync...) that would leave the credit note's lines unsynchronised.
        env = self.env(
            su=True,
            context={
                "lang": self.env.context.get("lang"),
                "tz": self.env.context.get("tz"),
                "allowed_company_ids": self.company_id.ids,
                "cobranza_discount_applying": True,
            },
        )
        move = line.move_id.with_env(env)
        reason = self._cobranza_reason()
        Reversal = env["account.move.reversal"]
        vals = {
            "move_ids": [Command.set(move.ids)],
            "date": today,
            "reason": reason,
            "journal_id": move.journal_id.id,
        }
        if move.l10n_latam_use_documents:
            credit_type = env["l10n_latam.document.type"].search(
                [("code", "=", "61"), ("country_id", "=", move.l10n_latam_document_type_id.country_id.id)],
                limit=1,
            )
            if credit_type:
                vals["l10n_latam_document_type_id"] = credit_type.id
        wizard = Reversal.with_context(active_model="account.move", active_ids=move.ids).create(vals)
        wizard.refund_moves()
        refund = env["account.move"].browse(wizard.new_move_ids.ids)
        groups = self._cobranza_tax_groups(move)
        reductions = {r.key: r for r in discount.split(groups, line.weight, move.currency_id.decimal_places)}
        accounts = {}
        for invoice_line in move.invoice_line_ids.filtered(lambda x: x.display_type == "product"):
            accounts.setdefault(tuple(sorted(invoice_line.tax_ids.ids)), invoice_line.account_id)
        commands = [Command.delete(x.id) for x in refund.invoice_line_ids]
        for key, reduction in reductions.items():
            if move.currency_id.is_zero(reduction.net):
                continue
            commands.append(
                Command.create(
                    {
                        "name": f"{reason} · {move.name}",
                        "quantity": 1,
                        "price_unit": reduction.net,
                        "account_id": accounts[key].id,
                        "tax_ids": [Command.set(list(key))],
                    }
                )
            )
        refund.write({"invoice_line_ids": commands, "invoice_date_due": today})
        self._cobranza_fill_references(refund, move, reason)
        if float_compare(
            refund.amount_total, line.amount_discount, precision_rounding=move.currency_id.rounding
        ):
            raise UserError(
                self.env._(
                    "The credit note for %(move)s totals %(total)s instead of the discount of %(discount)s.",
                    move=move.display_name,
                    total=refund.amount_total,
                    discount=line.amount_discount,
                )
            )
        if self.company_id.cobranza_discount_post:
            refund.action_post()
            self._cobranza_reconcile(move + refund)
        return refund

    @api.model
    def _cobranza_reconcile(self, moves):
        """Reconcile the open receivable items of ``moves``, account by account."""
        lines = moves.line_ids.filtered(
            lambda x: x.account_id.account_type == "asset_receivable" and not x.reconciled
        )
        for account in lines.account_id:
            pair = lines.filtered(lambda x, a=account: x.account_id == a)
            if pair.filtered(lambda x: x.balance > 0) and pair.filtered(lambda x: x.balance < 0):
                pair.reconcile()

    def _cobranza_financial_entry(self, line, today):
        """A financial discount: a journal entry moving the discount from the invoice's
        receivable to the company's discount account, with no tax line (the VAT declared stays),
        posted; the offer reconciles it with the invoice."""
        company = self.company_id
        move = line.move_id.sudo()
        receivable = move.line_ids.filtered(lambda x: x.account_id.account_type == "asset_receivable")[:1]
        journal = (
            self.env["account.journal"]
            .sudo()
            .search(
                [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "general")],
                limit=1,
            )
        )
        if not journal:
            raise UserError(self.env._("%(company)s has no miscellaneous journal.", company=company.name))
        amount = line.amount_discount
        balance = move.currency_id._convert(amount, company.currency_id, company, today)
        reason = self._cobranza_reason()
        common = {"partner_id": move.commercial_partner_id.id, "currency_id": move.currency_id.id}
        entry = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": today,
                    "ref": f"{reason} · {move.name}",
                    "line_ids": [
                        Command.create(
                            {
                                **common,
                                "name": f"{reason} · {move.name}",
                                "account_id": company.cobranza_discount_account_id.id,
                                "amount_currency": amount,
                                "balance": balance,
                            }
                        ),
                        Command.create(
                            {
                                **common,
                                "name": f"{reason} · {move.name}",
                                "account_id": receivable.account_id.id,
                                "amount_currency": -amount,
                                "balance": -balance,
                            }
                        ),
                    ],
                }
            )
        )
        entry.action_post()
        self._cobranza_reconcile((move + entry).with_context(cobranza_discount_applying=True))
        return entry

    @api.model
    def _cobranza_fill_references(self, refund, move, reason):
        """Where Odoo Enterprise's l10n_cl_edi is installed, the credit note's SII references
        (document type, folio, code 3 "corrects amounts", reason) are filled; never required."""
        if "l10n_cl_reference_ids" not in refund._fields:
            return
        comodel = self.env[refund._fields["l10n_cl_reference_ids"].comodel_name]
        wanted = {
            "origin_doc_number": move.l10n_latam_document_number,
            "l10n_cl_reference_doc_type_id": move.l10n_latam_document_type_id.id,
            "reference_doc_code": "3",
            "reason": reason,
            "date": move.invoice_date,
        }
        values = {key: value for key, value in wanted.items() if key in comodel._fields}
        if values:
            refund.l10n_cl_reference_ids = [Command.clear(), Command.create(values)]

    # ------------------------------------------------------------------
    # Hooks and cron
    # ------------------------------------------------------------------

    @api.model
    def _cobranza_evaluate_for_moves(self, moves):
        """Evaluate at once the offered discounts on ``moves`` (payments reconciled with them)."""
        if not moves or self.env.context.get("cobranza_discount_applying"):
            return
        offers = self.sudo().search([("state", "=", "offered"), ("line_ids.move_id", "in", moves.ids)])
        # A discount that cannot be applied never blocks the payment that triggered it: the
        # offer stays offered, says why, and the daily check tries again.
        for offer in offers:
            try:
                with self.env.cr.savepoint():
                    offer._cobranza_evaluate()
            except (UserError, ValidationError) as error:
                _logger.warning("Discount offer %s could not be applied: %s", offer.id, error)
                offer.message_post(
                    body=self.env._("The discount could not be applied: %(error)s", error=str(error))
                )

    @api.model
    def _cron_cobranza_check_discount_offers(self, batch_size=500):
        """Daily: apply or expire the offered discounts, and expire the proposed or approved ones
        whose deadline passed, a batch at a time; one offer's error is logged and the rest go on.
        Return how many offers were looked at."""
        offers = self.search([("state", "in", OPEN_STATES)], order="id")
        for start in range(0, len(offers), batch_size):
            for offer in offers[start : start + batch_size]:
                try:
                    with self.env.cr.savepoint():
                        if offer.state == "offered":
                            offer._cobranza_evaluate()
                        elif offer.deadline < offer._cobranza_today():
                            offer.sudo().write({"state": "expired", "date_decided": offer._cobranza_today()})
                            offer.activity_ids.sudo().unlink()
                except (UserError, ValidationError):
                    _logger.exception("Discount offer %s could not be evaluated", offer.id)
        return len(offers)

    @api.model
    def _cobranza_open_offer_moves(self, moves):
        """Ids of ``moves`` with an open discount offer whose deadline has not passed."""
        if not moves:
            return set()
        lines = (
            self.env["cobranza.discount.offer.line"]
            .sudo()
            .search_fetch(
                [("move_id", "in", moves.ids), ("offer_id.state", "in", OPEN_STATES)], ["move_id", "offer_id"]
            )
        )
        return {
            line.move_id.id
            for line in lines
            if line.offer_id.deadline >= line.offer_id.company_id._cobranza_today()
        }
