from odoo import api, fields, models
from odoo.tools import format_amount, format_date, format_datetime


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

    # ---------------------------------------------------------------- guided collection call

    cobranza_wrong_number = fields.Boolean(
        string="Wrong phone number",
        tracking=True,
        help="A collector reached a wrong number on this customer's only phone: record a new one.",
    )
    cobranza_call_ids = fields.One2many(
        comodel_name="cobranza.call", inverse_name="partner_id", string="Calls"
    )

    def write(self, vals):
        # A new phone number clears the wrong-number flag.
        if ("phone" in vals or "mobile" in vals) and "cobranza_wrong_number" not in vals:
            vals = dict(vals, cobranza_wrong_number=False)
        return super().write(vals)

    def _cobranza_phones(self):
        """The distinct phone numbers of this customer and its contacts, as (label, number)."""
        self.ensure_one()
        phones = []
        for contact in self.commercial_partner_id | self.commercial_partner_id.child_ids:
            for number in (contact.phone, contact.mobile):
                if number and number not in [p[1] for p in phones]:
                    phones.append((contact.name or "", number))
        return phones

    def _cobranza_phone_count(self):
        return len(self._cobranza_phones())

    def _cobranza_open_invoices(self, company=None):
        """Posted, unpaid customer invoices of this customer in ``company``, oldest due first."""
        self.ensure_one()
        company = company or self.env.company
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="invoice_date_due asc, id asc",
        )

    @api.model
    def _cobranza_overdue_figures(self, partners, company, today):
        """{partner id: (amount overdue, days overdue of the oldest overdue item, total due)} from
        the open receivable lines, in two grouped queries."""
        base = [
            ("partner_id", "in", partners.ids),
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
        ]
        Line = self.env["account.move.line"]
        totals = {
            partner.id: amount
            for partner, amount in Line._read_group(base, ["partner_id"], ["amount_residual:sum"])
        }
        figures = {partner_id: (0.0, 0, total) for partner_id, total in totals.items()}
        overdue = Line._read_group(
            base + [("date_maturity", "<", today)],
            ["partner_id"],
            ["amount_residual:sum", "date_maturity:min"],
        )
        for partner, amount, oldest in overdue:
            figures[partner.id] = (amount, (today - oldest).days, totals.get(partner.id, amount))
        return figures

    def _cobranza_script_values(self, moves=None, collector=None, company=None):
        """The placeholder values of a call script for this customer, formatted for reading aloud."""
        self.ensure_one()
        partner = self.commercial_partner_id
        company = company or self.env.company
        currency = company.currency_id
        collector = collector or self.env.user
        today = fields.Date.context_today(self)
        moves = moves if moves is not None else partner._cobranza_open_invoices(company)
        moves = moves.sorted(lambda m: (m.invoice_date_due or m.invoice_date, m.id))
        overdue = moves.filtered(lambda m: m.invoice_date_due and m.invoice_date_due < today)
        oldest = moves[:1]
        contact = partner.child_ids.filtered(lambda c: c.type in ("invoice", "contact") and c.name)[:1]
        bank = company.partner_id.bank_ids[:1]
        link = ""
        if oldest:
            link = oldest.get_base_url() + oldest.get_portal_url()
        invoices = [
            self.env._(
                "%(doc_type)s %(folio)s: %(residual)s, due %(due)s",
                doc_type=move.l10n_latam_document_type_id.name or "",
                folio=move.l10n_latam_document_number or move.name,
                residual=format_amount(self.env, move.amount_residual, currency),
                due=format_date(self.env, move.invoice_date_due),
            )
            for move in moves
        ]
        return {
            "customer": partner.name or "",
            "contact": contact.name
            or (partner.name if not partner.is_company else self.env._("the person in charge of payments")),
            "total_due": format_amount(self.env, sum(moves.mapped("amount_residual")), currency),
            "total_overdue": format_amount(self.env, sum(overdue.mapped("amount_residual")), currency),
            "oldest_due_date": format_date(self.env, oldest.invoice_date_due) if oldest else "",
            "invoices": invoices,
            "days_overdue": str(max((today - oldest.invoice_date_due).days, 0)) if oldest else "0",
            "payment_link": link,
            "bank_account": " ".join(filter(None, [bank.bank_id.name, bank.acc_number])) if bank else "",
            "collector": collector.name or "",
            "company": company.name or "",
        }

    def _cobranza_call_context(self, moves=None, company=None):
        """What the call screen shows about this customer: open invoices with days overdue, last
        calls, promises, last payments and phones, as a dict for the QWeb template."""
        self.ensure_one()
        partner = self.commercial_partner_id
        company = company or self.env.company
        today = fields.Date.context_today(self)
        moves = moves if moves is not None else partner._cobranza_open_invoices(company)
        payments = self.env["account.payment"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("payment_type", "=", "inbound"),
                ("state", "in", ("in_process", "paid")),
            ],
            order="date desc, id desc",
            limit=5,
        )
        return {
            "partner": partner,
            "currency": company.currency_id,
            "invoices": [
                (move, (today - move.invoice_date_due).days if move.invoice_date_due else 0) for move in moves
            ],
            "calls": self.env["cobranza.call"].search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=5
            ),
            "promises": self.env["cobranza.promise"].search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=5
            ),
            "payments": payments,
            "phones": partner._cobranza_phones(),
            "format_amount": lambda amount: format_amount(self.env, amount, company.currency_id),
            "format_date": lambda value: format_date(self.env, value),
            "format_datetime": lambda value: format_datetime(self.env, value, dt_format="short"),
        }

    def action_cobranza_start_call(self):
        """Open the guided call for this customer, on its open collection call if it has one."""
        self.ensure_one()
        return self.env["mail.activity"]._cobranza_open_call_wizard(self.commercial_partner_id)
