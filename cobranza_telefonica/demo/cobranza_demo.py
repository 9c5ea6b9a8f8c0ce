import random
from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models

# Days past the due date of each demo invoice, cycled over the customers: every aging
# bucket (not yet due, 1-30, 31-60, 61-90, 91-120, over 120) gets several cases.
DEMO_DAYS_PAST_DUE = (-40, -18, -3, 0, 4, 11, 23, 34, 47, 58, 66, 79, 88, 95, 108, 119, 135, 170, 230, 310)
DEMO_PRODUCTS = (
    ("Servicio de mantención mensual", 185000.0),
    ("Insumos de oficina (lote)", 64990.0),
    ("Arriendo de equipos", 420000.0),
    ("Asesoría técnica (hora)", 38500.0),
)
# Promises to pay of the demo, in days from today: (customer slot, made on, promised for, invoices,
# share of the promise paid, paid on). The same slot is the same customer.
DEMO_PROMISES = (
    (0, -2, 0, 1, 0.0, None),  # open, due today
    (1, -1, 2, 2, 0.0, None),  # open, on two invoices
    (2, 0, 6, 1, 0.0, None),  # open
    (3, -4, 10, 1, 0.3, -1),  # open, part already paid
    (4, -20, -12, 1, 1.0, -13),  # kept before the date
    (5, -9, -4, 1, 1.0, -3),  # kept within the grace days
    (6, -21, -10, 1, 0.4, -9),  # partially kept
    (7, -45, -35, 1, 0.0, None),  # broken...
    (7, -24, -14, 1, 0.0, None),  # ...and broken again: the customer is flagged
)
# The demo payment plan: made on, first instalment, instalments, days between them (from today).
DEMO_PLAN = (-30, -25, 3, 30)


class CobranzaDemo(models.AbstractModel):
    _name = "cobranza.demo"
    _description = "Collection demo data loader"

    @api.model
    def _demo_payment_provider(self, company):
        """Odoo's demo payment provider (when payment_demo is installed, as ``make demo`` does) in
        test mode for ``company``, so the collection page's pay button works in the demo."""
        base = self.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        if not base or base.code != "demo":
            return
        Provider = self.env["payment.provider"].sudo()
        provider = Provider.search([("code", "=", "demo"), ("company_id", "=", company.id)], limit=1)
        if not provider:
            provider = base.copy({"name": base.name, "company_id": company.id})
        journal = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        provider.write({"state": "test", "is_published": True, "journal_id": journal.id})

    @api.model
    def _demo_bank_account(self, company):
        """The company's account as its Chilean customers pay into it (statement, letter, payment
        details e-mail): Banco de Chile, checking account, held by the company."""
        bank = self.env.ref("l10n_cl.bank_001_0", raise_if_not_found=False)
        account = company.partner_id.bank_ids[:1]
        vals = {
            "bank_id": bank.id if bank else False,
            "acc_number": "00-123-45678-09",
            "cobranza_account_type": "checking",
        }
        if account:
            account.write(vals)
        else:
            self.env["res.partner.bank"].create({**vals, "partner_id": company.partner_id.id})

    @api.model
    def _load_demo(self, company):
        """Create the demo ledger of ``company``: invoices (33, 34, 56), credit notes (61),
        partial and full payments, all dated relative to today. Safe to call twice."""
        company = company.with_company(company)
        Move = self.env["account.move"].with_company(company).with_context(tracking_disable=True)
        partners = self.env.ref("cobranza_telefonica.partner_category_cobranza_demo").partner_ids.sorted("id")
        self._demo_remove_odoo_demo(company)
        self._demo_payment_provider(company)
        self._demo_bank_account(company)
        if Move.search_count([("company_id", "=", company.id), ("partner_id", "in", partners.ids)], limit=1):
            return self._demo_promises(company)
        rng = random.Random(2026)
        today = company._cobranza_today()
        journal = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale"), ("l10n_latam_use_documents", "=", True)],
            limit=1,
        )
        doc_types = {
            doc.code: doc
            for doc in self.env["l10n_latam.document.type"].search(
                [("country_id.code", "=", "CL"), ("code", "in", ("33", "34", "56", "61"))]
            )
        }
        products = self._demo_products(company)
        tax = company.account_sale_tax_id
        vals_list = []
        index = 0
        for partner in partners:
            for _count in range(6 if partner.is_company else 4):
                days_past_due = DEMO_DAYS_PAST_DUE[index % len(DEMO_DAYS_PAST_DUE)]
                index += 1
                # A day or two either way keeps due dates apart without leaving the bucket.
                due = today - timedelta(days=days_past_due + rng.choice((-1, 0, 1)))
                code = "34" if index % 13 == 0 else "56" if index % 17 == 0 else "33"
                lines = []
                for product, price in rng.sample(products, rng.randint(1, 3)):
                    lines.append(
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": rng.randint(1, 5),
                                "price_unit": price,
                                "tax_ids": [Command.set([] if code == "34" else tax.ids)],
                            }
                        )
                    )
                # Issued 30 days before the due date, or 60 for the few due beyond a month: never
                # after today.
                invoice_date = due - timedelta(days=30)
                if invoice_date > today:
                    invoice_date = min(due - timedelta(days=60), today)
                vals_list.append(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "journal_id": journal.id,
                        "company_id": company.id,
                        "l10n_latam_document_type_id": doc_types[code].id,
                        "invoice_date": invoice_date,
                        "invoice_date_due": due,
                        "invoice_payment_term_id": False,
                        "invoice_line_ids": lines,
                    }
                )
        self._demo_collectors(company, partners)
        invoices = Move.create(vals_list)
        invoices.action_post()
        self._demo_credit_notes(invoices.filtered(lambda m: m.id % 11 == 0), journal, doc_types["61"], today)
        self._demo_payments(invoices, rng, today)
        self._demo_promises(company)
        self._demo_followup(company)
        return True

    @api.model
    def _demo_remove_odoo_demo(self, company):
        """Delete the documents Odoo's generic accounting demo creates in ``company`` when its chart
        is loaded: ``l10n_cl``'s demo company gets Azure Interior's and Deco Addict's invoices,
        credit notes and receivable entries, vendor bills and a bank statement about them, dated by
        the server's UTC day. The Chilean company collects only its own customers and holds nothing
        dated after its local today. Only records of that demo (XML ids of ``account`` for this
        company) are touched; safe to call twice."""
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search(
                [
                    ("module", "=", "account"),
                    ("name", "=like", f"{company.id}\\_%"),
                    (
                        "model",
                        "in",
                        ("account.bank.statement.line", "account.bank.statement", "account.move"),
                    ),
                ]
            )
        )

        def records(model):
            ids = data.filtered(lambda row: row.model == model).mapped("res_id")
            found = self.env[model].sudo().browse(ids).exists()
            return found.filtered(lambda record: record.company_id == company)

        statement_lines = records("account.bank.statement.line")
        statements = records("account.bank.statement")
        statement_lines |= statements.line_ids
        moves = records("account.move") - statement_lines.move_id
        if not (statement_lines or statements or moves):
            return False
        statement_lines.with_context(force_delete=True).unlink()
        statements.with_context(force_delete=True).unlink()
        moves.filtered(lambda move: move.state != "draft").button_draft()
        moves.with_context(force_delete=True).unlink()
        return True

    @api.model
    def _demo_followup(self, company):
        """One follow-up run, so the collectors' queues hold calls when the demo opens."""
        run = (
            self.env["cobranza.followup.run"]
            .sudo()
            .create(
                {
                    "company_id": company.id,
                    "date": company._cobranza_today(),
                    "trigger": "manual",
                    "user_id": self.env.ref("cobranza_telefonica.user_jefe_demo").id,
                }
            )
        )
        run.with_context(cobranza_no_commit=True)._process()
        return run

    @api.model
    def _demo_collectors(self, company, partners):
        """Camila collects most customers; the manager keeps a few; the rest fall to the default."""
        collector = self.env.ref("cobranza_telefonica.user_cobrador_demo")
        manager = self.env.ref("cobranza_telefonica.user_jefe_demo")
        company.cobranza_default_collector_id = collector
        for position, partner in enumerate(partners.with_company(company)):
            if position % 5 == 4:
                partner.cobranza_collector_id = manager
            elif position % 5 != 3:
                partner.cobranza_collector_id = collector

    @api.model
    def _demo_products(self, company):
        return [
            (
                self.env["product.product"].create(
                    {"name": name, "type": "service", "list_price": price, "company_id": company.id}
                ),
                price,
            )
            for name, price in DEMO_PRODUCTS
        ]

    @api.model
    def _demo_credit_notes(self, invoices, journal, doc_type, today):
        """Credit a third of some invoices (document 61) five days after them (today at the latest)
        and reconcile the note with them."""
        Move = self.env["account.move"].with_context(tracking_disable=True)
        refunds = Move.create(
            [
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "journal_id": journal.id,
                    "company_id": invoice.company_id.id,
                    "l10n_latam_document_type_id": doc_type.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_date": min(invoice.invoice_date + timedelta(days=5), today),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": f"Descuento comercial sobre {invoice.name}",
                                "quantity": 1,
                                "price_unit": invoice.currency_id.round(invoice.amount_untaxed / 3),
                                "tax_ids": [Command.set(invoice.invoice_line_ids[:1].tax_ids.ids)],
                            }
                        )
                    ],
                }
                for invoice in invoices
            ]
        )
        refunds.action_post()
        for invoice, refund in zip(invoices, refunds, strict=True):
            (invoice + refund).line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
            ).reconcile()

    @api.model
    def _demo_payments(self, invoices, rng, today):
        """Pay some invoices in part and some in full, on dates a real customer would: after the
        invoice, never after today."""
        for position, invoice in enumerate(invoices):
            if invoice.payment_state not in ("not_paid", "partial"):
                continue
            if position % 7 == 3:
                amount = invoice.currency_id.round(invoice.amount_residual * rng.choice((0.3, 0.5, 0.6)))
            elif position % 9 == 5 and invoice.invoice_date_due < today:
                amount = invoice.amount_residual
            else:
                continue
            pay_date = invoice.invoice_date_due + timedelta(days=rng.randint(-5, 20))
            pay_date = min(today, max(pay_date, invoice.invoice_date))
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount, "payment_date": pay_date})._create_payments()

    @api.model
    def _demo_promises(self, company):
        """Promises to pay on the demo ledger as a collector would have recorded them over the last
        weeks: open ones (one due today), kept, partially kept and broken ones (twice by the same
        customer, who gets flagged) and a payment plan of three instalments. Each promise is
        created as of the day it was made, so it passes the same checks as a collector's; then
        the payments are registered and the daily run decides what is overdue. Safe to call twice."""
        Promise = self.env["cobranza.promise"].sudo().with_company(company)
        if Promise.search_count([("company_id", "=", company.id)], limit=1):
            return False
        today = company._cobranza_today()
        collector = self.env.ref("cobranza_telefonica.user_cobrador_demo", raise_if_not_found=False)
        partners = self.env.ref("cobranza_telefonica.partner_category_cobranza_demo").partner_ids.sorted("id")
        unpaid = defaultdict(lambda: self.env["account.move"])
        for invoice in self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "=", "not_paid"),
            ],
            order="invoice_date_due, id",
        ):
            unpaid[invoice.commercial_partner_id] |= invoice

        def take(made, count):
            """The first customer not used yet with ``count`` unpaid invoices issued by ``made``."""
            for partner in partners:
                invoices = unpaid[partner].filtered(lambda inv: inv.invoice_date <= made)[:count]
                if len(invoices) == count:
                    del unpaid[partner]
                    return partner, invoices
            return None, None

        slots = {}
        payments = []
        for slot, made_days, date_days, count, share, paid_days in DEMO_PROMISES:
            made = today + timedelta(days=made_days)
            if slot not in slots:
                slots[slot] = take(made, count)
            partner, invoices = slots[slot]
            if not partner:
                continue
            # What the daily run would have decided by then: the open promises on an invoice may
            # not add up to more than it owes, so an earlier one whose grace ended is decided first.
            Promise.search(
                [("partner_id", "=", partner.id), ("state", "=", "open"), ("date_deadline", "<", made)]
            )._cobranza_evaluate(made)
            promise = Promise.with_context(cobranza_today=fields.Date.to_string(made)).create(
                {
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "user_id": collector.id if collector else self.env.uid,
                    "date": today + timedelta(days=date_days),
                    "line_ids": [
                        Command.create({"move_id": invoice.id, "amount": invoice.amount_residual})
                        for invoice in invoices
                    ],
                }
            )
            if share:
                amount = promise.currency_id.round(promise.amount * share)
                payments.append((invoices[:1], amount, today + timedelta(days=paid_days)))
        made_days, first_days, count, interval = DEMO_PLAN
        made = today + timedelta(days=made_days)
        partner, invoice = take(made, 1)
        if partner:
            plan = (
                self.env["cobranza.payment.plan"]
                .sudo()
                .with_company(company)
                .with_context(cobranza_today=fields.Date.to_string(made))
                .create(
                    {
                        "company_id": company.id,
                        "partner_id": partner.id,
                        "user_id": collector.id if collector else self.env.uid,
                        "move_ids": [Command.set(invoice.ids)],
                        "instalment_count": count,
                        "date_first": today + timedelta(days=first_days),
                        "interval_days": interval,
                        "note": "Pago en cuotas acordado por teléfono.",
                    }
                )
            )
            plan.action_generate()
            first = plan.promise_ids.sorted("date")[:1]
            payments.append((invoice, first.amount, first.date - timedelta(days=1)))
        for invoice, amount, day in payments:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount, "payment_date": day})._create_payments()
        Promise._cron_cobranza_check_promises()
        return True
