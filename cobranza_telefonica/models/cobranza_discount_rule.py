from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..services import discount
from ..services.kpi import RISK_SEGMENTS

KINDS = [("early", "Early payment"), ("settlement", "Settlement")]


class CobranzaDiscountRule(models.Model):
    """Who may get a discount on which documents, how much and until when: early-payment tiers
    before the due date, or a settlement percentage for debt overdue some days, with a maximum
    and an approval limit above which a collection manager must approve the offer."""

    _name = "cobranza.discount.rule"
    _description = "Discount rule"
    _order = "company_id, kind, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    kind = fields.Selection(selection=KINDS, required=True, default="early")
    # Who
    partner_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="cobranza_discount_rule_partner_rel",
        string="Customers",
        help="Empty: every customer.",
    )
    category_ids = fields.Many2many(
        comodel_name="res.partner.category",
        relation="cobranza_discount_rule_category_rel",
        string="Customer tags",
        help="Empty: any tag.",
    )
    risk_segment = fields.Selection(selection=list(RISK_SEGMENTS), help="Empty: any risk segment.")
    debtor_type = fields.Selection(
        selection=[("person", "Natural person"), ("company", "Company")], help="Empty: both."
    )
    # Which documents
    document_type_ids = fields.Many2many(
        comodel_name="l10n_latam.document.type",
        relation="cobranza_discount_rule_document_type_rel",
        string="Document types",
        help="Empty: every customer invoice and debit note.",
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        help="Only documents in this currency; empty: any currency.",
    )
    amount_min = fields.Float(string="Minimum open amount", help="In the document's currency; 0: no minimum.")
    amount_max = fields.Float(string="Maximum open amount", help="In the document's currency; 0: no maximum.")
    # When
    date_from = fields.Date(string="Valid from")
    date_to = fields.Date(string="Valid until")
    # How much
    tier_ids = fields.One2many(
        comodel_name="cobranza.discount.tier", inverse_name="rule_id", string="Tiers", copy=True
    )
    min_days_overdue = fields.Integer(
        string="Overdue for at least (days)",
        default=30,
        help="Settlement: debt overdue this many days or more.",
    )
    settlement_percent = fields.Float(string="Settlement discount (%)", digits=(5, 2))
    offer_days = fields.Integer(
        string="Days to pay",
        default=7,
        help="Settlement: the deadline the call script and e-mails quote, counted from today.",
    )
    max_percent = fields.Float(
        string="Maximum discount (%)",
        digits=(5, 2),
        default=10.0,
        help="No offer under this rule gives more, not even with a manager's approval.",
    )
    approval_percent = fields.Float(
        string="Approval above (%)",
        digits=(5, 2),
        help="A discount above this percentage waits for a collection manager's approval; 0: no limit.",
    )
    payment_term_discount = fields.Selection(
        selection=[
            ("never", "Never on an invoice with it"),
            ("after", "After it: once the payment term's discount date has passed"),
        ],
        string="With the payment term's early discount",
        default="never",
        required=True,
        help="An invoice whose payment term has Odoo's own early-payment discount never gets both "
        "on one payment. Never: this rule does not cover such invoices. After it: the payment "
        "term's discount comes first, while its date lasts; from the day after, this rule may "
        "offer its own on what is still owed (Odoo no longer grants the term's discount then).",
    )
    approval_amount = fields.Monetary(
        string="Approval above (amount)",
        currency_field="company_currency_id",
        help="A discount above this amount (company currency) waits for a collection manager's "
        "approval; 0: no limit.",
    )

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------

    def _cobranza_percent_message(self, code, percent):
        """The Spanish message (through the .po) of one error code of services.discount."""
        self.ensure_one()
        messages = {
            discount.NOT_POSITIVE: self.env._(
                "Discount rule %(rule)s: a discount must be above 0 %% (got %(percent)s %%).",
                rule=self.name,
                percent=percent,
            ),
            discount.ABOVE_MAX: self.env._(
                "Discount rule %(rule)s: %(percent)s %% is above the rule's maximum of %(max)s %%.",
                rule=self.name,
                percent=percent,
                max=self.max_percent,
            ),
            discount.NEGATIVE_DAYS: self.env._(
                "Discount rule %(rule)s: the days before the due date of a tier cannot be negative.",
                rule=self.name,
            ),
            discount.DUPLICATE_DAYS: self.env._(
                "Discount rule %(rule)s: two tiers start on the same day before the due date.",
                rule=self.name,
            ),
            discount.NOT_INCREASING: self.env._(
                "Discount rule %(rule)s: the tiers overlap: paying earlier must give a larger "
                "discount than paying later.",
                rule=self.name,
            ),
        }
        return messages[code]

    @api.constrains(
        "kind", "tier_ids", "settlement_percent", "max_percent", "approval_percent", "min_days_overdue"
    )
    def _check_amounts(self):
        for rule in self:
            if rule.max_percent <= 0 or rule.max_percent > 100:
                raise ValidationError(
                    self.env._(
                        "Discount rule %(rule)s: the maximum discount must be above 0 %% and at most 100 %%.",
                        rule=rule.name,
                    )
                )
            if rule.approval_percent < 0 or rule.approval_amount < 0:
                raise ValidationError(
                    self.env._(
                        "Discount rule %(rule)s: an approval limit cannot be negative.", rule=rule.name
                    )
                )
            if rule.kind == "early":
                tiers = [discount.Tier(t.days_before, t.percent) for t in rule.tier_ids]
                if not tiers:
                    raise ValidationError(
                        self.env._(
                            "Discount rule %(rule)s: an early-payment rule needs at least one tier.",
                            rule=rule.name,
                        )
                    )
                errors = discount.tier_errors(tiers, rule.max_percent)
                if errors:
                    bad = next(
                        (t.percent for t in tiers if discount.percent_errors(t.percent, rule.max_percent)),
                        None,
                    )
                    raise ValidationError(rule._cobranza_percent_message(errors[0], bad))
            else:
                errors = discount.percent_errors(rule.settlement_percent, rule.max_percent)
                if errors:
                    raise ValidationError(rule._cobranza_percent_message(errors[0], rule.settlement_percent))
                if rule.min_days_overdue < 1:
                    raise ValidationError(
                        self.env._(
                            "Discount rule %(rule)s: a settlement is for overdue debt: at least 1 "
                            "day overdue.",
                            rule=rule.name,
                        )
                    )

    @api.constrains("date_from", "date_to", "amount_min", "amount_max")
    def _check_ranges(self):
        for rule in self:
            if rule.date_from and rule.date_to and rule.date_from > rule.date_to:
                raise ValidationError(
                    self.env._("Discount rule %(rule)s ends before it starts.", rule=rule.name)
                )
            if (
                rule.amount_min < 0
                or rule.amount_max < 0
                or (rule.amount_max and rule.amount_min > rule.amount_max)
            ):
                raise ValidationError(
                    self.env._(
                        "Discount rule %(rule)s: the amount range must be positive, its minimum not above "
                        "its maximum.",
                        rule=rule.name,
                    )
                )

    def _cobranza_scope_overlaps(self, other):
        """Could one document fall under both rules? Each criterion left empty matches all; two
        filled criteria overlap when they share a value (conservative: a customer list and a tag
        are taken to overlap)."""
        self.ensure_one()

        def shared(mine, theirs):
            return not mine or not theirs or bool(mine & theirs)

        def same(mine, theirs):
            return not mine or not theirs or mine == theirs

        return (
            discount.windows_overlap(self.date_from, self.date_to, other.date_from, other.date_to)
            and shared(self.partner_ids.commercial_partner_id, other.partner_ids.commercial_partner_id)
            and shared(self.category_ids, other.category_ids)
            and shared(self.document_type_ids, other.document_type_ids)
            and same(self.currency_id, other.currency_id)
            and same(self.risk_segment, other.risk_segment)
            and same(self.debtor_type, other.debtor_type)
            and (not self.amount_max or not other.amount_min or other.amount_min <= self.amount_max)
            and (not other.amount_max or not self.amount_min or self.amount_min <= other.amount_max)
        )

    @api.constrains(
        "active",
        "kind",
        "company_id",
        "date_from",
        "date_to",
        "partner_ids",
        "category_ids",
        "document_type_ids",
        "currency_id",
        "risk_segment",
        "debtor_type",
        "amount_min",
        "amount_max",
    )
    def _check_overlap(self):
        """Two active rules of one kind never both apply to one document: which discount a
        customer gets is never a matter of order."""
        for rule in self.filtered("active"):
            others = self.search(
                [("id", "!=", rule.id), ("company_id", "=", rule.company_id.id), ("kind", "=", rule.kind)]
            )
            clash = next((other for other in others if rule._cobranza_scope_overlaps(other)), None)
            if clash:
                raise ValidationError(
                    self.env._(
                        "The discount rules %(rule)s and %(other)s overlap: both could apply to the same "
                        "invoice in the same days. Narrow their customers, documents or validity.",
                        rule=rule.name,
                        other=clash.name,
                    )
                )

    # ------------------------------------------------------------------
    # Which rule applies
    # ------------------------------------------------------------------

    def _cobranza_matches(self, move, open_amount, day):
        """Does this rule cover ``move`` (open for ``open_amount`` in its currency) on ``day``
        (the company's local day)? Only the scope and the window: tiers and days overdue are
        the offer's to check."""
        self.ensure_one()
        partner = move.commercial_partner_id.with_company(move.company_id)
        return (
            move.company_id == self.company_id
            and discount.in_window(day, self.date_from or None, self.date_to or None)
            and (not self.partner_ids or partner in self.partner_ids.commercial_partner_id)
            and (
                not self.category_ids
                or bool(self.category_ids & (partner.category_id | move.partner_id.category_id))
            )
            and (not self.risk_segment or partner.cobranza_risk_segment == self.risk_segment)
            and (not self.debtor_type or partner.cobranza_debtor_type == self.debtor_type)
            and (not self.document_type_ids or move.l10n_latam_document_type_id in self.document_type_ids)
            and (not self.currency_id or move.currency_id == self.currency_id)
            and (not self.amount_min or open_amount >= self.amount_min)
            and (not self.amount_max or open_amount <= self.amount_max)
        )

    @api.model
    def _cobranza_term_discount_until(self, move):
        """The last day of ``move``'s payment-term early discount (Odoo's own), or None when its
        payment term has none."""
        term = move.invoice_payment_term_id
        if not term.early_discount:
            return None
        return term._get_last_discount_date(move.invoice_date or move.date)

    def _cobranza_term_discount_blocks(self, move, day):
        """Does the payment term's own early discount keep this rule off ``move`` on ``day``?
        Always when the rule says never; until the term's last discount day when it says after."""
        self.ensure_one()
        until = self._cobranza_term_discount_until(move)
        if until is None:
            return False
        return self.payment_term_discount == "never" or day <= until

    @api.model
    def _cobranza_rule_for(self, move, kind, open_amount, day):
        """The active rule of ``kind`` that covers ``move`` on ``day`` (rules never overlap, so
        there is at most one; the first by sequence otherwise)."""
        rules = self.search([("company_id", "=", move.company_id.id), ("kind", "=", kind)])
        return next((rule for rule in rules if rule._cobranza_matches(move, open_amount, day)), self.browse())
