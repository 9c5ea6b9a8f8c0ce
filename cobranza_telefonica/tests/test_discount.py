from datetime import date, timedelta
from unittest.mock import patch

from markupsafe import escape

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import CobranzaCommon

DUE = date(2026, 4, 5)  # 20 days after CobranzaCommon.TODAY


class DiscountCommon(CobranzaCommon):
    """Two rules of the test company (early payment 10 days 3 %, 5 days 1,5 %; settlement from
    30 days overdue, 5 %, approval above 5 %) and helpers for taxed invoices and offers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Chart = cls.env["account.chart.template"].with_company(cls.company)
        cls.iva = Chart.ref("ITAX_19")
        cls.ila = Chart.ref("ila_a_100_s")  # 10 % ILA, a second tax on the same lines
        cls.ila.active = True
        cls.usd = cls.setup_other_currency("USD", rates=[("2020-01-01", 1 / 950.0)])
        Rule = cls.env["cobranza.discount.rule"].with_user(cls.manager)
        cls.early = Rule.create(
            {
                "name": "Pronto pago",
                "kind": "early",
                "max_percent": 5.0,
                "tier_ids": [
                    Command.create({"days_before": 10, "percent": 3.0}),
                    Command.create({"days_before": 5, "percent": 1.5}),
                ],
            }
        )
        cls.settlement = Rule.create(
            {
                "name": "Liquidación de deuda vencida",
                "kind": "settlement",
                "min_days_overdue": 30,
                "settlement_percent": 5.0,
                "max_percent": 10.0,
                "approval_percent": 5.0,
            }
        )
        cls.Offer = cls.env["cobranza.discount.offer"].with_user(cls.collector)

    def setUp(self):
        super().setUp()
        self.enterContext(self._clock_at(self.TODAY, hour=10))

    @classmethod
    def _taxed_invoice(cls, partner, lines, due=DUE, invoice_date=None, currency=None, term=None):
        """A posted DTE 33 with ``lines`` [(net price, taxes)]."""
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": cls.sale_journal.id,
            "l10n_latam_document_type_id": cls.doc_types["33"].id,
            "invoice_date": invoice_date or cls.TODAY - timedelta(days=5),
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Producto",
                        "quantity": 1,
                        "price_unit": price,
                        "tax_ids": [Command.set(taxes.ids)],
                    }
                )
                for price, taxes in lines
            ],
        }
        if term:
            vals["invoice_payment_term_id"] = term.id
        else:
            vals.update(invoice_payment_term_id=False, invoice_date_due=due)
        if currency:
            vals["currency_id"] = currency.id
        move = cls.env["account.move"].create(vals)
        move.action_post()
        return move

    def _offer(self, rule, moves, deadline, **vals):
        return self.Offer.create(
            {
                "partner_id": moves.partner_id.id,
                "rule_id": rule.id,
                "deadline": deadline,
                "line_ids": [Command.create({"move_id": move.id}) for move in moves],
                **vals,
            }
        )

    def _receivable(self, move):
        return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")


@tagged("post_install", "-at_install")
class TestDiscountOffer(DiscountCommon):
    """Discount offers: tiers on the company's day, approval, and the DTE 61 credit note that
    applies them, its net and 19 % VAT checked to the peso against figures worked out by hand
    (not by services.discount)."""

    # ------------------------------------------------------------------ tiers

    def test_early_tier_boundaries(self):
        """The tier is the one reached on the deadline: 10 days before the due date 3 %, the day
        after 1,5 %, 5 days 1,5 %, 4 days none."""
        invoice = self._taxed_invoice(self.customer, [(100000, self.iva)])  # 119.000
        cases = [(DUE - timedelta(days=10), 3.0, 3570), (DUE - timedelta(days=9), 1.5, 1785)]
        cases.append((DUE - timedelta(days=5), 1.5, 1785))
        for deadline, percent, amount in cases:
            offer = self._offer(self.early, invoice, deadline)
            self.assertEqual((offer.line_ids.percent, offer.amount_discount), (percent, amount), deadline)
            offer.action_cancel()
        with self.assertRaises(ValidationError):
            self._offer(self.early, invoice, DUE - timedelta(days=4))

    def test_day_is_the_company_day(self):
        """At 23:00 in Santiago it is already the next day in UTC: the offer's day is Santiago's."""
        invoice = self._taxed_invoice(self.customer, [(100000, self.iva)])
        with self._clock_at(self.TODAY, hour=23):
            offer = self._offer(self.early, invoice, self.TODAY)  # deadline today, not in the past
            self.assertEqual(offer.line_ids.percent, 3.0)
            offer.action_offer()
            self.assertEqual(offer.date_offered, self.TODAY)
        with self._clock_at(self.TODAY + timedelta(days=1), hour=0), self.assertRaises(ValidationError):
            self._offer(self.early, invoice, self.TODAY)

    # ------------------------------------------------------------------ accounting

    def test_early_payment_credit_note_to_the_peso(self):
        """Lines with IVA, exempt, and IVA + ILA: the DTE 61 reduces each tax line's net and
        recomputes each tax on it; the invoice ends paid."""
        invoice = self._taxed_invoice(
            self.customer,
            [(100000, self.iva), (50000, self.env["account.tax"]), (20000, self.iva | self.ila)],
        )
        self.assertEqual(invoice.amount_total, 194800)  # 119.000 + 50.000 + 25.800
        offer = self._offer(self.early, invoice, DUE - timedelta(days=10))
        # By hand: 3 % of each net: 3.000 (IVA 570), 1.500, 600 (IVA 114, ILA 60).
        self.assertEqual(offer.amount_discount, 5844)
        self.assertEqual((offer.line_ids.amount_net, offer.line_ids.amount_tax), (5100, 744))
        self.assertEqual(offer.amount_to_pay, 194800 - 5844)
        self.assertFalse(offer.needs_approval)
        offer.action_offer()
        self.assertEqual(offer.state, "offered")
        self._pay(invoice, 188956, DUE - timedelta(days=10))
        self.assertEqual(offer.state, "applied")
        refund = offer.line_ids.credit_note_id
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.l10n_latam_document_type_id.code, "61")
        self.assertEqual(refund.reversed_entry_id, invoice)
        self.assertEqual((refund.amount_untaxed, refund.amount_tax, refund.amount_total), (5100, 744, 5844))
        taxes = {line.tax_line_id: line.balance for line in refund.line_ids if line.tax_line_id}
        self.assertEqual(taxes, {self.iva: 684.0, self.ila: 60.0})
        bases = sorted(line.balance for line in refund.line_ids if line.display_type == "product")
        self.assertEqual(bases, [600.0, 1500.0, 3000.0])
        self.assertEqual(self._receivable(refund).balance, -5844)
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(self._receivable(refund).reconciled)
        self.assertIn("Early-payment discount", refund.ref)

    def test_several_instalments(self):
        """Per instalment: on a 50/50 term, one instalment 5 days early (1,5 %), the other 25 (3 %)."""
        term = self.env["account.payment.term"].create(
            {
                "name": "50 % a 20 días, 50 % a 40 días",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 20}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 40}),
                ],
            }
        )
        invoice = self._taxed_invoice(self.customer, [(100000, self.iva)], invoice_date=self.TODAY, term=term)
        self.assertEqual(sorted(self._receivable(invoice).mapped("balance")), [59500, 59500])
        offer = self._offer(self.early, invoice, date(2026, 3, 31))  # 5 and 25 days before
        # 59.500 x 1,5 % + 59.500 x 3 % = 2.677,5 of 119.000: net 2.250, IVA 427,5 -> 428.
        self.assertEqual((offer.line_ids.amount_net, offer.line_ids.amount_tax), (2250, 428))
        self.assertEqual(offer.amount_to_pay, 119000 - 2678)
        offer.action_offer()
        self._pay(invoice, 116322, date(2026, 3, 31))
        self.assertEqual(offer.state, "applied")
        self.assertEqual(offer.line_ids.credit_note_id.amount_total, 2678)
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))

    def test_settlement_several_invoices_with_approval(self):
        old = self._taxed_invoice(self.customer, [(50000, self.iva)], due=self.TODAY - timedelta(days=40))
        late = self._taxed_invoice(self.customer, [(30000, self.iva)], due=self.TODAY - timedelta(days=35))
        offer = self._offer(
            self.settlement, old | late, self.TODAY + timedelta(days=7), requested_percent=8.0
        )
        # 8 %: 4.000 + IVA 760 and 2.400 + IVA 456.
        self.assertEqual(offer.line_ids.mapped("amount_discount"), [4760, 2856])
        self.assertEqual(offer.amount_to_pay, 95200 - 7616)
        self.assertTrue(offer.needs_approval)
        self.assertTrue(offer.activity_ids.user_id.has_group("cobranza_telefonica.group_cobranza_manager"))
        self.assertIn("approval limit", offer.message_ids[:1].body)
        with self.assertRaises(UserError):
            offer.action_offer()
        with self.assertRaises(AccessError):
            offer.action_approve()
        offer.with_user(self.manager).action_approve()
        self.assertEqual((offer.state, offer.approved_by_id), ("approved", self.manager))
        self.assertFalse(offer.activity_ids)
        offer.action_offer()
        self._pay(old | late, 87584, self.TODAY + timedelta(days=7))
        self.assertEqual(offer.state, "applied")
        refunds = offer.line_ids.credit_note_id
        self.assertEqual(refunds.mapped("amount_total"), [4760, 2856])
        self.assertEqual(refunds.mapped("reversed_entry_id"), old | late)
        for invoice in old | late:
            self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual), invoice.name)

    def test_short_payment_then_expired(self):
        invoice = self._taxed_invoice(self.customer, [(100000, self.iva)])
        deadline = DUE - timedelta(days=10)
        offer = self._offer(self.early, invoice, deadline)
        offer.action_offer()
        self._pay(invoice, 115430 - 1000, deadline)
        self.assertEqual((offer.state, offer.amount_paid, offer.amount_short), ("offered", 114430, 1000))
        with self._clock_at(deadline + timedelta(days=1)):
            self.env["cobranza.discount.offer"]._cron_cobranza_check_discount_offers()
        self.assertEqual((offer.state, offer.amount_short), ("expired", 1000))
        self.assertFalse(offer.line_ids.credit_note_id)
        self.assertEqual(invoice.amount_residual, 119000 - 114430)

    def test_unoffered_offers_expire(self):
        """A proposed offer nobody offered expires after its deadline and frees its invoice."""
        invoice = self._taxed_invoice(self.customer, [(50000, self.iva)], due=self.TODAY - timedelta(days=40))
        offer = self._offer(self.settlement, invoice, self.TODAY + timedelta(days=2), requested_percent=8.0)
        self.assertTrue(offer.activity_ids)
        with self._clock_at(self.TODAY + timedelta(days=3)):
            self.env["cobranza.discount.offer"]._cron_cobranza_check_discount_offers(batch_size=1)
            self.assertEqual(offer.state, "expired")
            self.assertFalse(offer.activity_ids)
            self._offer(self.settlement, invoice, self.TODAY + timedelta(days=5))

    def test_payment_after_deadline_earns_nothing(self):
        invoice = self._taxed_invoice(self.customer, [(100000, self.iva)])
        deadline = DUE - timedelta(days=10)
        offer = self._offer(self.early, invoice, deadline)
        offer.action_offer()
        with self._clock_at(deadline + timedelta(days=1)):
            self._pay(invoice, 115430, deadline + timedelta(days=1))
            self.assertEqual((offer.state, offer.amount_short), ("expired", 115430))
        self.assertFalse(offer.line_ids.credit_note_id)
        self.assertEqual(invoice.amount_residual, 3570)

    def test_usd_invoice_keeps_cents(self):
        invoice = self._taxed_invoice(
            self.customer, [(1234.56, self.iva)], due=self.TODAY - timedelta(days=31), currency=self.usd
        )
        self.assertEqual(invoice.amount_total, 1469.13)  # IVA 234,5664 -> 234,57
        offer = self._offer(self.settlement, invoice, self.TODAY)
        # 5 %: net 61,728 -> 61,73; IVA 11,7287 -> 11,73.
        self.assertEqual(
            (offer.currency_id, offer.amount_discount, offer.amount_to_pay), (self.usd, 73.46, 1395.67)
        )
        self.assertEqual(offer.amount_discount_company, round(73.46 * 950))
        offer.action_offer()
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": 1395.67, "currency_id": self.usd.id, "payment_date": self.TODAY})
        )
        wizard._create_payments()
        self.assertEqual(offer.state, "applied")
        refund = offer.line_ids.credit_note_id
        self.assertEqual(
            (refund.currency_id, refund.amount_untaxed, refund.amount_tax), (self.usd, 61.73, 11.73)
        )
        self.assertTrue(self.usd.is_zero(invoice.amount_residual))

    def test_draft_credit_note_per_company_setting(self):
        self.company.cobranza_discount_post = False
        invoice = self._taxed_invoice(self.customer, [(100000, self.iva)])
        offer = self._offer(self.early, invoice, DUE - timedelta(days=10))
        offer.action_offer()
        self._pay(invoice, 115430, DUE - timedelta(days=10))
        self.assertEqual(offer.state, "applied")
        self.assertEqual(offer.line_ids.credit_note_id.state, "draft")
        self.assertEqual(invoice.amount_residual, 3570)

    def test_financial_discount(self):
        """Financial discount: the discount moves from the receivable to the company's account,
        no tax line, no credit note; the invoice ends paid."""
        account = self.company_data["default_account_expense"]
        with self.assertRaises(ValidationError):
            self.company.cobranza_discount_method = "financial"
        self.company.write(
            {"cobranza_discount_method": "financial", "cobranza_discount_account_id": account.id}
        )
        invoice = self._taxed_invoice(self.customer, [(100000, self.iva)])
        offer = self._offer(self.early, invoice, DUE - timedelta(days=10))
        offer.action_offer()
        self._pay(invoice, 115430, DUE - timedelta(days=10))
        self.assertEqual(offer.state, "applied")
        entry = offer.line_ids.credit_note_id
        self.assertEqual(entry.move_type, "entry")
        self.assertFalse(entry.line_ids.tax_line_id | entry.line_ids.tax_ids)
        self.assertEqual(entry.line_ids.filtered(lambda x: x.account_id == account).balance, 3570)
        self.assertEqual(self._receivable(entry).balance, -3570)
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertEqual(invoice.amount_tax, 19000, "the VAT declared does not change")

    def test_failure_never_blocks_the_payment(self):
        """A discount that cannot be applied (here the credit note fails) leaves the payment
        registered and the offer offered, with a note why; the daily check applies it later."""
        invoice = self._taxed_invoice(self.customer, [(100000, self.iva)])
        offer = self._offer(self.early, invoice, DUE - timedelta(days=10))
        offer.action_offer()
        Offer = type(self.env["cobranza.discount.offer"])
        with patch.object(Offer, "_cobranza_credit_note", side_effect=UserError("Sin folios")):
            self._pay(invoice, 115430, DUE - timedelta(days=10))
        self.assertEqual(offer.state, "offered")
        self.assertEqual(invoice.amount_residual, 3570)
        self.assertIn("Sin folios", offer.message_ids[:1].body)
        self.env["cobranza.discount.offer"]._cron_cobranza_check_discount_offers()
        self.assertEqual(offer.state, "applied")
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))

    def test_open_offer_pauses_escalation(self):
        invoice = self._taxed_invoice(self.customer, [(50000, self.iva)], due=self.TODAY - timedelta(days=40))
        offer = self._offer(self.settlement, invoice, self.TODAY + timedelta(days=3))
        self.assertEqual(invoice._cobranza_exclusion_reasons().get(invoice.id), "discount")
        offer.action_cancel()
        self.assertNotEqual(invoice._cobranza_exclusion_reasons().get(invoice.id), "discount")

    # ------------------------------------------------------------------ offered in calls and e-mails

    def test_quotes_in_script_and_email(self):
        """The call script's {discount_offer} and the preventive e-mail show what applies today:
        early payment for the invoice not yet due (best tier 3 %, until 10 days before the due
        date), settlement for the overdue one (5 % for the rule's 7 days); the e-mail only the
        early payment; an open offer shows its own figures."""
        early = self._taxed_invoice(self.customer, [(100000, self.iva)])
        overdue = self._taxed_invoice(self.customer, [(50000, self.iva)], due=self.TODAY - timedelta(days=40))
        quotes = {q["move"]: q for q in self.env["cobranza.discount.offer"]._cobranza_quotes(early | overdue)}
        self.assertEqual(
            (quotes[early]["percent"], quotes[early]["discount"], quotes[early]["deadline"]),
            (3.0, 3570, DUE - timedelta(days=10)),
        )
        self.assertEqual(
            (quotes[overdue]["discount"], quotes[overdue]["to_pay"], quotes[overdue]["deadline"]),
            (2975, 59500 - 2975, self.TODAY + timedelta(days=7)),
        )
        values = self.customer.with_user(self.collector)._cobranza_script_values()
        self.assertEqual(len(values["discount_offer"]), 2)
        self.assertIn(early.l10n_latam_document_number, " ".join(values["discount_offer"]))
        step = self.env["cobranza.script.step"].new({"text": "Oferta: {discount_offer}"})
        self.assertIn("<li>", step._render(values))
        lines = early._cobranza_mail_discount_lines()
        self.assertEqual(len(lines), 1)
        self.assertIn("3.0 %", lines[0])
        self.assertEqual(overdue._cobranza_mail_discount_lines(), [])
        # An open offer is quoted with its own figures (here a settlement of 8 %, approved).
        offer = self._offer(self.settlement, overdue, self.TODAY + timedelta(days=3), requested_percent=8.0)
        offer.with_user(self.manager).action_approve()
        quote = next(q for q in self.env["cobranza.discount.offer"]._cobranza_quotes(overdue))
        self.assertEqual((quote["discount"], quote["deadline"]), (4760, self.TODAY + timedelta(days=3)))

    def test_payment_term_discount_first_then_ours(self):
        """An invoice whose payment term has Odoo's own early discount (2 % within 10 days, due
        in 30): a rule that says *never* leaves it alone; one that says *after* waits until the
        term's last discount day has passed (the boundary day refused, the next allowed), then
        offers its own 3 % on the whole amount; the payment earns it, and Odoo no longer grants
        the term's discount: never both on one payment."""
        term = self.env["account.payment.term"].create(
            {
                "name": "2 % 10 días, 30 días",
                "early_discount": True,
                "discount_percentage": 2,
                "discount_days": 10,
                "line_ids": [Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})],
            }
        )
        invoice_date = self.TODAY - timedelta(days=5)
        term_until, due = invoice_date + timedelta(days=10), invoice_date + timedelta(days=30)
        invoice = self._taxed_invoice(
            self.customer, [(100000, self.iva)], invoice_date=invoice_date, term=term
        )
        self.assertEqual(
            (invoice.invoice_date_due, self.early._cobranza_term_discount_until(invoice)), (due, term_until)
        )
        Offer = self.env["cobranza.discount.offer"]
        deadline = due - timedelta(days=10)
        with self.assertRaisesRegex(ValidationError, "discount of its payment term"), self.env.cr.savepoint():
            self._offer(self.early, invoice, deadline)
        self.assertEqual(Offer._cobranza_quotes(invoice), [])
        self.early.with_user(self.manager).payment_term_discount = "after"
        with self._clock_at(term_until, hour=22):
            self.assertEqual(Offer._cobranza_quotes(invoice), [])
            with self.assertRaisesRegex(ValidationError, "only from the day after"), self.env.cr.savepoint():
                self._offer(self.early, invoice, deadline)
        with self._clock_at(term_until + timedelta(days=1), hour=9):
            quotes = Offer._cobranza_quotes(invoice)
            self.assertEqual(
                [(q["percent"], q["discount"], q["deadline"]) for q in quotes], [(3.0, 3570, deadline)]
            )
            offer = self._offer(self.early, invoice, deadline)
            self.assertEqual((offer.amount_discount, offer.amount_to_pay), (3570, 119000 - 3570))
            offer.action_offer()
            pay_date = term_until + timedelta(days=2)
            self.assertFalse(invoice._is_eligible_for_early_payment_discount(invoice.currency_id, pay_date))
            self._pay(invoice, 119000 - 3570, pay_date)
        self.assertEqual(offer.state, "applied")
        self.assertEqual(offer.line_ids.credit_note_id.amount_total, 3570)
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))

    def test_preventive_emails_of_one_batch_quote_their_own_invoices(self):
        """The follow-up run quotes the early-payment discounts of a whole batch of preventive
        e-mails at once: each e-mail lists the quotes of its own invoices only (3 % of the gross
        amount, until 10 days before the due date), and none for the other customer's."""
        level = self.env["cobranza.level"].search(
            [("company_id", "=", self.company.id), ("stage", "=", "preventive")]
        )
        level.day_offset = -12
        due = self.TODAY + timedelta(days=11)
        first = self._taxed_invoice(self.customer, [(100000, self.iva)], due=due)
        second = self._taxed_invoice(self.customer, [(50000, self.iva)], due=due)
        other = self._taxed_invoice(self.customer_b, [(20000, self.iva)], due=due)
        run = (
            self.env["cobranza.followup.run"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=self.company.ids)
        )
        run._cobranza_run_manual(partners=self.customer | self.customer_b)
        Mail = self.env["mail.mail"]
        mine = Mail.search([("model", "=", "account.move"), ("res_id", "in", (first | second).ids)])
        theirs = Mail.search([("model", "=", "account.move"), ("res_id", "=", other.id)])
        self.assertEqual((len(mine), len(theirs)), (1, 1))
        body, other_body = str(mine.body_html), str(theirs.body_html)
        Offer = self.env["cobranza.discount.offer"]
        # 3 % of the gross amounts (net + 19 % IVA), each quoted in its own customer's e-mail only.
        quotes = {
            q["move"]: q["discount"] for q in Offer._cobranza_quotes(first | second | other, ("early",))
        }
        self.assertEqual(
            quotes, {first: round(119000 * 0.03), second: round(59500 * 0.03), other: round(23800 * 0.03)}
        )
        for moves, partner, text, elsewhere in (
            (first | second, self.customer, body, other_body),
            (other, self.customer_b, other_body, body),
        ):
            texts = Offer.with_context(lang=partner.lang)._cobranza_quote_texts(moves, ("early",))
            self.assertEqual(len(texts), len(moves))
            for line in texts:
                self.assertIn(str(escape(line)), text)
                self.assertNotIn(str(escape(line)), elsewhere)

    def test_collector_offers_settlement_from_call(self):
        overdue = self._taxed_invoice(self.customer, [(50000, self.iva)], due=self.TODAY - timedelta(days=40))
        self._taxed_invoice(
            self.customer, [(10000, self.iva)], due=self.TODAY - timedelta(days=3)
        )  # too recent
        call = (
            self.env["cobranza.call"]
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "user_id": self.collector.id,
                    "contact_result": "debtor",
                    "outcome": "call_back",
                    "move_ids": [Command.set(overdue.ids)],
                }
            )
        )
        action = call.with_user(self.collector).action_cobranza_offer_discount()
        offer = self.Offer.with_context(**action["context"]).create({})
        self.assertEqual((offer.call_id, offer.rule_id, offer.move_ids), (call, self.settlement, overdue))
        self.assertEqual((offer.amount_discount, offer.deadline), (2975, self.TODAY + timedelta(days=7)))
        self.assertEqual(call.discount_offer_ids, offer)
        offer.action_offer()
        self._pay(overdue, 59500 - 2975, self.TODAY + timedelta(days=2))
        self.assertEqual(offer.state, "applied")
        self.assertEqual(offer.amount_paid_company, 56525)
        self.assertTrue(overdue.currency_id.is_zero(overdue.amount_residual))


@tagged("post_install", "-at_install")
class TestDiscountAccess(DiscountCommon):
    """Who may do what, bad input in Spanish, and what nobody can forge by RPC."""

    def _with_spanish(self, user):
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        user.lang = "es_419"
        return self.env(user=user, context=dict(self.env.context, lang="es_419"))

    def test_groups(self):
        Rule = self.env["cobranza.discount.rule"]
        self.assertEqual(Rule.with_user(self.collector).search([]), self.early | self.settlement)
        with self.assertRaises(AccessError):
            Rule.with_user(self.collector).create(
                {"name": "X", "kind": "settlement", "settlement_percent": 1}
            )
        with self.assertRaises(AccessError):
            self.early.with_user(self.collector).max_percent = 50
        with self.assertRaises(AccessError):
            Rule.with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            self.env["cobranza.discount.offer"].with_user(self.plain_user).search([])

    def test_other_company_invisible(self):
        other = self.setup_other_company()["company"]
        rule = self.env["cobranza.discount.rule"].create(
            {"name": "Otra", "company_id": other.id, "kind": "settlement", "settlement_percent": 2}
        )
        self.assertNotIn(rule, self.env["cobranza.discount.rule"].with_user(self.collector).search([]))

    def test_offer_on_another_company_invoice_refused(self):
        other = self.setup_other_company()["company"]
        partner = self.customer.with_company(other)
        foreign = (
            self.env["account.move"]
            .with_company(other)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": self.TODAY - timedelta(days=60),
                    "invoice_date_due": self.TODAY - timedelta(days=40),
                    "invoice_line_ids": [Command.create({"name": "x", "price_unit": 1000, "tax_ids": []})],
                }
            )
        )
        foreign.action_post()
        Offer = self.env["cobranza.discount.offer"].with_context(
            allowed_company_ids=[self.company.id, other.id]
        )
        with self.assertRaises(UserError), self.env.cr.savepoint():
            Offer.create(
                {
                    "company_id": self.company.id,
                    "partner_id": self.customer.id,
                    "rule_id": self.settlement.id,
                    "deadline": self.TODAY + timedelta(days=5),
                    "line_ids": [Command.create({"move_id": foreign.id})],
                }
            )
        self.assertFalse(self.env["cobranza.discount.offer"].search([]))

    def test_nothing_forged_by_rpc(self):
        invoice = self._taxed_invoice(self.customer, [(100000, self.iva)])
        offer = self._offer(self.early, invoice, DUE - timedelta(days=10))
        for vals in ({"state": "applied"}, {"amount_discount": 100000}, {"amount_to_pay": 1}):
            with self.assertRaises(AccessError):
                offer.write(vals)
        with self.assertRaises(AccessError):
            offer.line_ids.amount_discount = 119000
        with self.assertRaises(AccessError):
            self.Offer.create(
                {
                    "partner_id": self.customer.id,
                    "rule_id": self.early.id,
                    "deadline": DUE - timedelta(days=10),
                    "amount_discount": 50000,
                    "line_ids": [Command.create({"move_id": invoice.id})],
                }
            )
        self.assertEqual(offer.amount_discount, 3570)

    def test_bad_rules_in_spanish(self):
        env = self._with_spanish(self.manager)
        Rule = env["cobranza.discount.rule"]
        cases = [
            ({"kind": "settlement", "settlement_percent": -1}, "debe ser mayor que 0"),
            ({"kind": "settlement", "settlement_percent": 15, "max_percent": 10}, "sobre el máximo"),
            (
                {
                    "kind": "early",
                    "tier_ids": [
                        Command.create({"days_before": 10, "percent": 1.0}),
                        Command.create({"days_before": 5, "percent": 2.0}),
                    ],
                    "partner_ids": [Command.set(self.customer_b.ids)],
                },
                "pagar antes",
            ),
            ({"kind": "early", "partner_ids": [Command.set(self.customer_b.ids)]}, "al menos un tramo"),
            ({"kind": "settlement", "settlement_percent": 2}, "se traslapan"),  # overlaps the settlement rule
        ]
        for vals, message in cases:
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                Rule.create({"name": "Mala", **vals})

    def test_bad_offers_in_spanish(self):
        env = self._with_spanish(self.collector)
        Offer = env["cobranza.discount.offer"]
        invoice = self._taxed_invoice(self.customer, [(50000, self.iva)], due=self.TODAY - timedelta(days=40))
        recent = self._taxed_invoice(self.customer, [(50000, self.iva)], due=self.TODAY - timedelta(days=3))
        paid = self._taxed_invoice(self.customer, [(10000, self.iva)], due=self.TODAY - timedelta(days=40))
        self._pay(paid, 11900, self.TODAY)
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [Command.create({"name": "x", "price_unit": 100})],
            }
        )
        term = self.env["account.payment.term"].create(
            {
                "name": "2 % 10 días",
                "early_discount": True,
                "discount_percentage": 2,
                "discount_days": 10,
                "line_ids": [Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})],
            }
        )
        with_term = self._taxed_invoice(
            self.customer, [(50000, self.iva)], invoice_date=self.TODAY - timedelta(days=60), term=term
        )

        def offer(moves, deadline=None, **vals):
            return Offer.create(
                {
                    "partner_id": self.customer.id,
                    "rule_id": self.settlement.id,
                    "deadline": deadline or self.TODAY + timedelta(days=5),
                    "line_ids": [Command.create({"move_id": move.id}) for move in moves],
                    **vals,
                }
            )

        cases = [
            ((invoice,), {"deadline": self.TODAY - timedelta(days=1)}, "en el pasado"),
            ((invoice,), {"requested_percent": 0}, "debe ser mayor que 0"),
            ((invoice,), {"requested_percent": 12}, "sobre el máximo"),
            ((recent,), {}, "días de atraso"),
            ((paid,), {}, "ya está pagada"),
            ((draft,), {}, "no es una factura de cliente publicada"),
            ((with_term,), {}, "condición de pago"),
        ]
        for moves, vals, message in cases:
            with (
                self.subTest(message=message),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                offer(moves, **vals)
        self.assertEqual(self.env["cobranza.discount.offer"].search_count([]), 0, "nothing half-written")
        offer((invoice,))
        with (
            self.assertRaisesRegex(ValidationError, "ya tiene una oferta de descuento abierta"),
            self.env.cr.savepoint(),
        ):
            offer((invoice,))


@tagged("post_install", "-at_install")
class TestDiscountTour(DiscountCommon, AccountTestInvoicingHttpCommon):
    def test_settlement_from_call_tour(self):
        """In Chromium: a collector offers a settlement of 8 % from a call (above the 5 % limit),
        a manager approves and offers it, the payment arrives and the DTE 61 exists."""
        overdue = self._taxed_invoice(self.customer, [(50000, self.iva)], due=self.TODAY - timedelta(days=40))
        call = (
            self.env["cobranza.call"]
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "user_id": self.collector.id,
                    "contact_result": "debtor",
                    "outcome": "call_back",
                    "move_ids": [Command.set(overdue.ids)],
                }
            )
        )
        self.start_tour(
            f"/odoo/action-cobranza_telefonica.action_cobranza_call/{call.id}",
            "cobranza_discount_offer_tour",
            login=self.collector.login,
        )
        offer = call.discount_offer_ids
        self.assertRecordValues(
            offer,
            [
                {
                    "state": "proposed",
                    "requested_percent": 8.0,
                    "amount_discount": 4760,
                    "needs_approval": True,
                }
            ],
        )
        self.assertEqual(offer.user_id, self.collector)
        self.start_tour(
            f"/odoo/action-cobranza_telefonica.action_cobranza_discount_offer/{offer.id}",
            "cobranza_discount_approve_tour",
            login=self.manager.login,
        )
        self.assertRecordValues(offer, [{"state": "offered", "approved_by_id": self.manager.id}])
        self._pay(overdue, 59500 - 4760, self.TODAY + timedelta(days=1))
        self.assertEqual(offer.state, "applied")
        refund = offer.line_ids.credit_note_id
        self.assertEqual((refund.l10n_latam_document_type_id.code, refund.amount_total), ("61", 4760))
        self.assertTrue(overdue.currency_id.is_zero(overdue.amount_residual))
