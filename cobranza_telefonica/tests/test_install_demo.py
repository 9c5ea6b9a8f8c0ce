from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from ..services import aging, rut


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo promised by the README: Chilean customers and a ledger in every aging bucket.
    The test database is installed with demo data; these tests read it and nothing else does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_company = cls.env.ref("base.demo_company_cl", raise_if_not_found=False)
        if not cls.demo_company or not cls.env.ref(
            "cobranza_telefonica.partner_category_cobranza_demo", False
        ):
            raise AssertionError("The test database must be installed with demo data (make test does).")
        cls.customers = cls.env.ref("cobranza_telefonica.partner_category_cobranza_demo").partner_ids
        cls.moves = cls.env["account.move"].search(
            [
                ("company_id", "=", cls.demo_company.id),
                ("partner_id", "in", cls.customers.ids),
                ("state", "=", "posted"),
            ]
        )

    def test_company_is_chilean(self):
        company = self.demo_company
        self.assertEqual(company.currency_id.name, "CLP")
        self.assertEqual(company.account_fiscal_country_id.code, "CL")
        self.assertEqual(company.chart_template, "cl")
        self.assertTrue(rut.is_valid(company.vat), company.vat)

    def test_customers(self):
        self.assertGreaterEqual(len(self.customers), 25)
        for customer in self.customers:
            self.assertTrue(rut.is_valid(customer.vat), f"{customer.name}: {customer.vat}")
            self.assertTrue(customer.phone and customer.email, customer.name)
            self.assertEqual(customer.country_id.code, "CL")
        self.assertEqual(len(set(self.customers.mapped("vat"))), len(self.customers), "RUTs are unique")

    def test_collectors(self):
        collector = self.env.ref("cobranza_telefonica.user_cobrador_demo")
        self.assertTrue(collector.has_group("cobranza_telefonica.group_cobranza_collector"))
        self.assertFalse(collector.has_group("cobranza_telefonica.group_cobranza_manager"))
        self.assertTrue(
            self.env.ref("cobranza_telefonica.user_jefe_demo").has_group(
                "cobranza_telefonica.group_cobranza_manager"
            )
        )
        open_invoices = self.moves.filtered(lambda m: m.move_type == "out_invoice")
        self.assertEqual(
            set(open_invoices.cobranza_collector_id.ids) - {collector.id},
            {self.env.ref("cobranza_telefonica.user_jefe_demo").id},
        )

    def test_documents(self):
        codes = self.moves.mapped("l10n_latam_document_type_id.code")
        self.assertGreaterEqual(len(self.moves), 150)
        for code in ("33", "34", "56", "61"):
            self.assertIn(code, codes)
        for move in self.moves:
            self.assertTrue(move.l10n_latam_document_number, move.name)
        refunds = self.moves.filtered(lambda m: m.move_type == "out_refund")
        self.assertTrue(refunds)
        self.assertEqual(set(refunds.mapped("l10n_latam_document_type_id.code")), {"61"})
        credited = refunds.mapped("reversed_entry_id")
        self.assertTrue(all(inv.amount_residual < inv.amount_total for inv in credited))

    def test_every_bucket_has_cases(self):
        today = fields.Date.context_today(self.env["account.move"])
        open_invoices = self.moves.filtered(
            lambda m: m.move_type == "out_invoice" and m.payment_state in ("not_paid", "partial")
        )
        counts = dict.fromkeys(aging.BUCKET_KEYS, 0)
        for invoice in open_invoices:
            counts[aging.bucket_for_date(invoice.invoice_date_due, today)] += 1
        for key, count in counts.items():
            self.assertGreaterEqual(count, 3, f"bucket {key} has {count} open invoices")
        self.assertTrue(
            self.moves.filtered(lambda m: m.payment_state == "partial" and m.move_type == "out_invoice")
        )
        self.assertTrue(
            self.moves.filtered(
                lambda m: m.payment_state in ("paid", "in_payment") and m.move_type == "out_invoice"
            )
        )

    def test_dated_relative_to_today(self):
        """The newest due dates lie in the future: the demo never goes stale."""
        today = fields.Date.context_today(self.env["account.move"])
        due_dates = self.moves.filtered(lambda m: m.move_type == "out_invoice").mapped("invoice_date_due")
        self.assertGreater(max(due_dates), today)
        self.assertLess(min(due_dates), today - timedelta(days=120))

    def test_promises(self):
        """Promises in every state, decided from the demo payments, and a plan of three instalments."""
        collector = self.env.ref("cobranza_telefonica.user_cobrador_demo")
        promises = self.env["cobranza.promise"].search([("company_id", "=", self.demo_company.id)])
        by_state = {
            state: promises.filtered(lambda p, s=state: p.state == s) for state in promises.mapped("state")
        }
        for state in ("open", "kept", "partial", "broken"):
            self.assertIn(state, by_state, f"the demo has {state} promises")
        self.assertGreaterEqual(len(by_state["open"]), 3)
        for promise in promises:
            self.assertTrue(promise.line_ids, promise.name)
            self.assertLessEqual(promise.date_made, promise.date, promise.name)
            self.assertIn(promise.partner_id, self.customers)
            self.assertEqual(promise.user_id, collector, promise.name)
        for promise in by_state["kept"]:
            self.assertEqual(promise.amount_paid, promise.amount, promise.name)
        for promise in by_state["partial"]:
            self.assertTrue(0 < promise.amount_paid < promise.amount, promise.name)
        for promise in by_state["broken"]:
            self.assertEqual(promise.amount_paid, 0, promise.name)
            self.assertGreater(promise.date_decided, promise.date_deadline)
        self.assertTrue(
            by_state["open"].filtered(lambda p: p.amount_paid), "an open promise already paid in part"
        )
        self.assertTrue(
            by_state["open"].filtered(lambda p: len(p.line_ids) == 2), "a promise on two invoices"
        )
        # The customer who broke two promises is flagged and gets a collection call.
        broken_customers = by_state["broken"].commercial_partner_id
        flagged = self.customers.with_company(self.demo_company).filtered("cobranza_promise_flag")
        self.assertTrue(flagged)
        self.assertLessEqual(flagged, broken_customers)
        calls = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", (broken_customers | by_state["partial"].commercial_partner_id).ids),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("cobranza_telefonica.mail_activity_type_cobranza_call").id,
                ),
            ]
        )
        self.assertEqual(
            set(calls.mapped("res_id")),
            set((broken_customers | by_state["partial"].commercial_partner_id).ids),
        )

    def test_payment_plan(self):
        plans = self.env["cobranza.payment.plan"].search([("company_id", "=", self.demo_company.id)])
        plan = plans.filtered(lambda p: len(p.promise_ids) == 3)
        self.assertEqual(len(plan), 1)
        instalments = plan.promise_ids.sorted("date")
        self.assertEqual(
            [instalments[1].date - instalments[0].date, instalments[2].date - instalments[1].date],
            [timedelta(days=plan.interval_days)] * 2,
        )
        self.assertEqual(instalments.mapped("state"), ["kept", "open", "open"])
        self.assertEqual(plan.state, "open")
        self.assertEqual(sum(instalments.mapped("amount")), plan.amount_total)
        self.assertEqual(plan.amount_paid, instalments[0].amount)
        self.assertEqual(plan.move_ids, instalments.move_ids)

    def test_followup_ran_once(self):
        run = self.env["cobranza.followup.run"].search([("company_id", "=", self.demo_company.id)])
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "done")
        self.assertGreaterEqual(run.evaluated_count, 100)
        levels = self.moves.filtered(lambda m: m.move_type == "out_invoice").cobranza_level_id
        self.assertGreaterEqual(len(levels), 4, "demo invoices sit at several follow-up levels")
