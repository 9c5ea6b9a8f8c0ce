import math
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount, format_date
from odoo.tools.sql import create_index

from ..services import validation

# Why an open invoice is kept out of the follow-up run; each feature adds its own cases in
# _cobranza_exclusion_reasons().
# The call screen lists this many invoices (oldest first) and sums up the rest in one line: a
# customer with thousands of open documents opens as fast as one with a few.
CALL_INVOICE_ROWS = 50
# The script reads this many aloud ({invoices}), and says how many more there are.
SCRIPT_INVOICE_ITEMS = 10

EXCLUSION_REASONS = [
    ("dispute", "Disputed"),
    ("promise", "Open promise to pay"),
    ("on_hold", "Customer on hold"),
    ("sii", "Claimed or ceded at the SII"),
    ("credit", "Settled by unapplied credits"),
]


FOLLOWUP_STATE_FIELDS = (
    "cobranza_level_id",
    "cobranza_next_action_date",
    "cobranza_excluded",
    "cobranza_exclusion_reason",
    "cobranza_postpone_reason",
    "cobranza_letter_pending",
)


def cobranza_search_numbers(records, field_name, operator, value):
    """(operator, number) of a search on the computed number ``field_name`` of ``records``, or a
    Spanish UserError for an operator or a value that cannot be compared with a number."""
    env = records.env
    field = records._fields[field_name]._description_string(env)
    if operator not in validation.SEARCH_OPERATORS:
        raise UserError(
            env._(
                "%(field)s cannot be searched with the operator “%(operator)s”.",
                field=field,
                operator=operator,
            )
        )
    try:
        return validation.search_numbers(operator, value)
    except ValueError:
        raise UserError(env._("%(field)s: “%(value)s” is not a number.", field=field, value=value)) from None


class AccountMove(models.Model):
    _inherit = "account.move"

    cobranza_collector_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        compute="_compute_cobranza_collector_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        help="Who collects this invoice: the customer's collector, else the salesperson when "
        "they are a collector, else the company's default collector.",
    )

    cobranza_dispute = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="The customer disputes this invoice: it leaves the follow-up until the dispute is resolved.",
    )
    cobranza_dispute_reason = fields.Text(string="Dispute reason", copy=False)

    @api.constrains("cobranza_dispute", "move_type")
    def _check_cobranza_dispute(self):
        """Only what the customer owes can be disputed: customer invoices and debit notes."""
        for move in self:
            if move.cobranza_dispute and move.move_type != "out_invoice":
                raise ValidationError(
                    self.env._(
                        "%(move)s cannot be disputed: only customer invoices and debit notes can.",
                        move=move.display_name,
                    )
                )

    @api.depends("partner_id", "invoice_user_id", "move_type")
    def _compute_cobranza_collector_id(self):
        # The group does not exist yet while the module installs and computes this field.
        group = self.env.ref("cobranza_telefonica.group_cobranza_collector", raise_if_not_found=False)
        collectors = group.users if group else self.env["res.users"]
        for move in self:
            if not move.is_sale_document(include_receipts=True):
                move.cobranza_collector_id = False
                continue
            partner = move.partner_id.commercial_partner_id.with_company(move.company_id)
            if partner.cobranza_collector_id:
                move.cobranza_collector_id = partner.cobranza_collector_id
            elif move.invoice_user_id in collectors:
                move.cobranza_collector_id = move.invoice_user_id
            else:
                move.cobranza_collector_id = move.company_id.cobranza_default_collector_id

    @api.model
    def _cobranza_followup_fields(self):
        """The invoice fields the follow-up run reads, fetched with each batch's invoices in one
        query: a field read later fetches every column of a thousand invoices at a time. A
        feature whose exclusion reasons or notes read more fields adds them here."""
        return [
            "commercial_partner_id",
            "company_id",
            "cobranza_oldest_due_date",
            "invoice_date_due",
            "cobranza_collector_id",
            "amount_residual",
            "currency_id",
            "name",
            "l10n_latam_document_type_id",
            "l10n_latam_document_number",
            "cobranza_dispute",
            *FOLLOWUP_STATE_FIELDS,
        ]

    def _cobranza_mail_fields(self):
        """The invoice fields the collection e-mail templates read (their own and every invoice
        they list), fetched for a whole batch of e-mails in one query before rendering: else each
        e-mail would fetch its own invoices. A feature whose e-mail text reads more adds them."""
        return [
            "partner_id",
            "commercial_partner_id",
            "company_id",
            "cobranza_collector_id",
            "l10n_latam_document_type_id",
            "l10n_latam_document_number",
            "name",
            "amount_residual",
            "currency_id",
            "cobranza_oldest_due_date",
            "invoice_date_due",
            "access_token",
            "move_type",
            # The e-mail's message takes the invoice's display name.
            "state",
            "ref",
        ]

    def _cobranza_exclusion_reasons(self):
        """Return {move id: reason key of EXCLUSION_REASONS} for the moves of ``self`` that the
        follow-up run must leave alone. Each feature extends this with super() and batch queries."""
        reasons = {}
        on_hold = {}  # (customer id, company id) -> on hold: read once per customer, not per invoice
        for move in self:
            key = (move.commercial_partner_id.id, move.company_id.id)
            if key not in on_hold:
                on_hold[key] = move.commercial_partner_id.with_company(move.company_id).cobranza_on_hold
            if move.cobranza_dispute:
                reasons[move.id] = "dispute"
            elif on_hold[key]:
                reasons[move.id] = "on_hold"
        # A customer whose unapplied payments and credit notes cover its balance owes nothing:
        # it is never dunned (the receivable figure, per company).
        rest = self.filtered(lambda m: m.id not in reasons)
        if rest:
            figures = self.env["cobranza.receivable"]._cobranza_figures(
                rest.company_id, rest.commercial_partner_id
            )
            for move in rest:
                figure = figures.get((move.commercial_partner_id.id, move.company_id.id))
                if figure is not None and figure.balance <= 0:
                    reasons[move.id] = "credit"
        return reasons

    def action_cobranza_start_call(self):
        """Open the guided call for this invoice's customer, with this invoice to discuss."""
        self.ensure_one()
        return self.env["mail.activity"]._cobranza_open_call_wizard(self.commercial_partner_id, moves=self)

    cobranza_oldest_due_date = fields.Date(
        string="Oldest open due date",
        compute="_compute_cobranza_oldest_due_date",
        store=True,
        index=True,
        help="Due date of the oldest instalment still open: days overdue count from it.",
    )
    cobranza_days_overdue = fields.Integer(
        string="Days overdue",
        compute="_compute_cobranza_days_overdue",
        search="_search_cobranza_days_overdue",
        help="Days since the oldest open due date (negative: days before it). Computed from today, "
        "searchable; to group by how late invoices are, group by level or by due date.",
    )
    cobranza_level_id = fields.Many2one(
        comodel_name="cobranza.level",
        string="Follow-up level",
        copy=False,
        index="btree_not_null",
        readonly=True,
        help="The level reached, set by the daily follow-up run.",
    )
    cobranza_pre_legal = fields.Boolean(related="cobranza_level_id.pre_legal", string="Pre-legal")
    cobranza_next_action_date = fields.Date(
        string="Next follow-up", copy=False, readonly=True, help="When the follow-up run acts on it next."
    )
    cobranza_excluded = fields.Boolean(
        string="Excluded from follow-up", copy=False, readonly=True, index="btree_not_null"
    )
    cobranza_exclusion_reason = fields.Selection(
        selection="_cobranza_exclusion_selection", string="Exclusion reason", copy=False, readonly=True
    )
    cobranza_postpone_reason = fields.Char(string="Postponed because", copy=False, readonly=True)
    cobranza_letter_pending = fields.Boolean(
        string="Letter to print",
        copy=False,
        readonly=True,
        help="A level asked for the formal collection letter.",
    )

    @api.model
    def _cobranza_exclusion_selection(self):
        return EXCLUSION_REASONS

    @api.depends(
        "line_ids.date_maturity",
        "line_ids.date",
        "line_ids.amount_residual",
        "line_ids.reconciled",
        "line_ids.account_type",
    )
    def _compute_cobranza_oldest_due_date(self):
        # As the aging: an item without a due date is due on its accounting date.
        for move in self:
            dates = [
                line.date_maturity or line.date
                for line in move.line_ids
                if line.account_type == "asset_receivable"
                and not line.reconciled
                and (line.date_maturity or line.date)
            ]
            move.cobranza_oldest_due_date = min(dates) if dates else False

    @api.depends("cobranza_oldest_due_date", "invoice_date_due")
    @api.depends_context("date")
    def _compute_cobranza_days_overdue(self):
        today = self.env.company._cobranza_today()
        for move in self:
            due = move.cobranza_oldest_due_date or move.invoice_date_due
            move.cobranza_days_overdue = (today - due).days if due else 0

    def _search_cobranza_days_overdue(self, operator, value):
        """days overdue OP value  <=>  due date (reversed OP) today - value. The value is a number
        or a numeric string (False/None count as 0); days are whole, so 10.5 days overdue is never
        equal and "> 10.5" is "> 10"."""
        operator, value = cobranza_search_numbers(self, "cobranza_days_overdue", operator, value)
        today = self.env.company._cobranza_today()
        # Days outside what a date can hold are clamped: no due date lies beyond them.
        low, high = -(date.max - today).days, (today - date.min).days

        def due_date(days):
            return today - timedelta(days=min(max(days, low), high))

        if operator in ("in", "not in"):
            dates = [due_date(int(days)) for days in value if days == int(days)]
            return [("cobranza_oldest_due_date", operator, dates)]
        if operator in ("=", "!=") and value != int(value):
            return [(0, "=", 1)] if operator == "=" else []
        rounded = {">": math.floor, ">=": math.ceil, "<": math.ceil, "<=": math.floor}
        days = rounded.get(operator, int)(value)
        flip = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}
        return [("cobranza_oldest_due_date", flip[operator], due_date(days))]

    @api.model
    def init(self):
        res = super().init()
        # The open invoices of one customer (call screen, customer form, collection page): Odoo
        # does not index commercial_partner_id, so each look-up read every invoice of the
        # database (0.4 s on a million). Partial: only the open customer invoices are in it.
        create_index(
            self.env.cr,
            "account_move_cobranza_open_partner_index",
            self._table,
            ["commercial_partner_id", "cobranza_oldest_due_date"],
            where="move_type = 'out_invoice' AND state = 'posted' "
            "AND payment_state IN ('not_paid', 'partial')",
        )
        return res

    def _cobranza_open_domain(self, companies):
        """Open customer invoices (and debit notes) of ``companies``: what the follow-up works on."""
        return [
            ("company_id", "in", companies.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]

    def _cobranza_write_followup_state(self, rows):
        """Write the follow-up state of many invoices in one UPDATE. ``rows`` are tuples in the
        order of FOLLOWUP_STATE_FIELDS preceded by the move id. These fields are only written by
        the run, so bypassing the ORM's per-record write is safe and keeps the run fast."""
        if not rows:
            return
        self.env.flush_all()
        values = SQL(", ").join(
            SQL("(%s, %s::int, %s::date, %s::bool, %s::varchar, %s::varchar, %s::bool)", *row) for row in rows
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move m
                   SET cobranza_level_id = v.level_id,
                       cobranza_next_action_date = v.next_date,
                       cobranza_excluded = v.excluded,
                       cobranza_exclusion_reason = v.reason,
                       cobranza_postpone_reason = v.postpone,
                       cobranza_letter_pending = v.letter
                  FROM (VALUES %s) AS v(id, level_id, next_date, excluded, reason, postpone, letter)
                 WHERE m.id = v.id
                """,
                values,
            )
        )
        self.env["account.move"].invalidate_model(list(FOLLOWUP_STATE_FIELDS))

    def _cobranza_followup_row(self):
        """The current follow-up state of one invoice, as written by _cobranza_write_followup_state."""
        return (
            self.id,
            self.cobranza_level_id.id or None,
            self.cobranza_next_action_date or None,
            self.cobranza_excluded,
            self.cobranza_exclusion_reason or None,
            self.cobranza_postpone_reason or None,
            self.cobranza_letter_pending,
        )

    def _cobranza_ensure_access_tokens(self):
        """Give these invoices their portal access token (for the links in e-mails, scripts and
        letters) in one UPDATE: rendering a link (portal.mixin._portal_ensure_token) writes each
        missing one through the ORM, an invoice write that locks it and costs a query per record."""
        self.flush_recordset(["access_token"])
        self.env.cr.execute(
            SQL(
                "UPDATE account_move SET access_token = gen_random_uuid()::text "
                "WHERE id = ANY(%s) AND access_token IS NULL",
                self.ids,
            )
        )
        self.invalidate_recordset(["access_token"])

    def _cobranza_call_rows(self, company, limit=None):
        """The call screen's invoice table of these invoices: the ``limit`` oldest as (invoice,
        days overdue) and the rest summed up (how many, and their open amount in company
        currency), with the formatting the template ``call_invoice_table`` uses."""
        today = company._cobranza_today()
        limit = CALL_INVOICE_ROWS if limit is None else limit
        moves = self._cobranza_oldest_first()
        shown, rest = moves[:limit], moves[limit:]

        def days_late(move):
            due = move.cobranza_oldest_due_date or move.invoice_date_due
            return (today - due).days if due else 0

        return {
            "invoices": [(move, days_late(move)) for move in shown],
            "more_count": len(rest),
            "more_amount": sum(rest.mapped("amount_residual_signed")),
            "format_amount": lambda amount, currency=None: format_amount(
                self.env, amount, currency or company.currency_id
            ),
            "format_date": lambda value: format_date(self.env, value),
        }

    def _cobranza_oldest_first(self):
        """These invoices, the one whose oldest open instalment falls due first leading (Odoo's
        ``invoice_date_due`` is the last instalment): the one order of "oldest invoice first"."""
        return self.sorted(lambda m: (m.cobranza_oldest_due_date or m.invoice_date_due or m.date, m.id))

    def _cobranza_one_currency(self, kind="promise", exception=UserError):
        """The one currency of these invoices: a promise to pay (``kind`` "promise"), a payment
        plan ("plan") and an online payment ("payment") are in one currency, so invoices in
        several are refused in Spanish with ``exception``."""
        currencies = self.currency_id
        if len(currencies) > 1:
            names = ", ".join(currencies.mapped("name"))
            if kind == "plan":
                message = self.env._(
                    "A payment plan is in one currency, and these invoices are in %(currencies)s: "
                    "make one plan per currency.",
                    currencies=names,
                )
            elif kind == "payment":
                message = self.env._(
                    "One payment is in one currency, and these documents are in %(currencies)s: "
                    "pay the documents of each currency separately.",
                    currencies=names,
                )
            else:
                message = self.env._(
                    "A promise to pay is in one currency, and these invoices are in %(currencies)s: "
                    "make one promise per currency.",
                    currencies=names,
                )
            raise exception(message)
        return currencies

    def _cobranza_mail_moves(self):
        """The invoices one collection e-mail on this invoice is about: the customer's invoices the
        sender named (context ``cobranza_mail_move_ids``: {invoice id: ids}), else this one."""
        self.ensure_one()
        named = (self.env.context.get("cobranza_mail_move_ids") or {}).get(self.id)
        if not named:
            return self
        moves = self.browse(named).filtered(
            lambda m: (
                m.commercial_partner_id == self.commercial_partner_id and m.company_id == self.company_id
            )
        )
        return (moves | self)._cobranza_oldest_first()

    def _cobranza_mail_folios(self):
        """'Factura electrónica N° 1234, Nota de débito electrónica N° 1234 y 2 documentos más'
        for the subject of a collection e-mail: type and folio (folios repeat across types)."""
        return self._cobranza_mail_moves()._cobranza_dte_summary()

    def _cobranza_dte_summary(self, limit=2):
        """The tax documents of these invoices, in their order, as the collector and the customer
        name them ("Factura electrónica N° 1234"), the first ``limit`` of them and how many more."""
        text = ", ".join(move.cobranza_dte_label or move.name for move in self[:limit])
        if len(self) > limit:
            return self.env._("%(documents)s and %(count)s more", documents=text, count=len(self) - limit)
        return text

    def action_cobranza_print_letter(self):
        """Print the formal collection letter (one per customer and company, listing all its
        overdue documents), log one contact per letter and clear the 'to print' marks."""
        moves = self.filtered(lambda move: move.move_type == "out_invoice" and move.state == "posted")
        letters = {}
        for move in moves:
            key = (move.commercial_partner_id, move.company_id)
            letters[key] = letters.get(key, self.browse()) | move
        for (partner, company), letter_moves in letters.items():
            partner._cobranza_log_contact(
                "letter",
                company=company,
                origin=", ".join(letter_moves.mapped("name")),
                note=self.env._("Collection letter printed"),
            )
        if moves:
            moves._cobranza_write_followup_state(
                [row[:-1] + (False,) for row in (move._cobranza_followup_row() for move in moves)]
            )
        return self.env.ref("cobranza_telefonica.action_report_cobranza_letter").report_action(moves)


# Kept apart from the class above so each feature appends its own override without conflicts.
# pylint: disable=consider-merging-classes-inherited
class AccountMovePromise(models.Model):
    _inherit = "account.move"

    def _cobranza_exclusion_reasons(self):
        """An open promise whose grace has not ended keeps its invoices out of the follow-up."""
        reasons = super()._cobranza_exclusion_reasons()
        if not self.ids:
            return reasons
        lines = (
            self.env["cobranza.promise.line"]
            .sudo()
            .search_fetch(
                [
                    ("move_id", "in", self.ids),
                    ("promise_id.state", "=", "open"),
                    ("promise_id.date_deadline", ">=", self.env.company._cobranza_today()),
                ],
                ["move_id"],
            )
        )
        for move_id in lines.move_id.ids:
            reasons.setdefault(move_id, "promise")
        return reasons

    cobranza_promise_count = fields.Integer(
        string="Promises to pay",
        compute="_compute_cobranza_promise_count",
        groups="cobranza_telefonica.group_cobranza_collector",
    )

    def _compute_cobranza_promise_count(self):
        """How many promises to pay (any state) fall on each invoice, in one grouped query."""
        counts = dict(
            self.env["cobranza.promise.line"]._read_group(
                [("move_id", "in", self.ids)], ["move_id"], ["promise_id:count_distinct"]
            )
        )
        for move in self:
            move.cobranza_promise_count = counts.get(move._origin, 0)

    def action_cobranza_view_promises(self):
        """The promises to pay on this invoice, every state, from the smart button."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranza_telefonica.action_cobranza_promise")
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action


class AccountMoveDiscount(models.Model):
    _inherit = "account.move"

    def _cobranza_exclusion_selection(self):
        return [*super()._cobranza_exclusion_selection(), ("discount", "Open discount offer")]

    def _cobranza_exclusion_reasons(self):
        """An open discount offer pauses the escalation of its invoices until its deadline."""
        reasons = super()._cobranza_exclusion_reasons()
        for move_id in self.env["cobranza.discount.offer"]._cobranza_open_offer_moves(self):
            reasons.setdefault(move_id, "discount")
        return reasons

    def _cobranza_mail_fields(self):
        # What the early-payment quotes of the preventive e-mail check on each invoice.
        return [*super()._cobranza_mail_fields(), "payment_state", "invoice_payment_term_id"]

    def _cobranza_mail_discount_lines(self):
        """The early-payment discounts the invoices of this e-mail can get (preventive e-mails).
        Within a batch of e-mails (context ``cobranza_mail_batch_cache``, a dict the batch owns),
        the first e-mail quotes every invoice of the batch's e-mails at once."""
        self.ensure_one()
        Offer = self.env["cobranza.discount.offer"]
        moves = self._cobranza_mail_moves()
        cache = self.env.context.get("cobranza_mail_batch_cache")
        if cache is None:
            return Offer._cobranza_quote_texts(moves, ("early",))
        if "early_quotes" not in cache:
            named = self.env.context.get("cobranza_mail_move_ids") or {}
            every = self.browse({move_id for ids in named.values() for move_id in ids} | set(named)) | moves
            cache["early_quotes"] = Offer._cobranza_quote_texts_by_move(every, ("early",))
        return [text for move in moves for text in cache["early_quotes"].get(move.id, [])]
