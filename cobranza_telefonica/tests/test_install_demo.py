from datetime import timedelta

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
        # The day the demo was loaded: its follow-up run is made on the company's local today.
        cls.install_day = (
            cls.env["cobranza.followup.run"]
            .search([("company_id", "=", cls.demo_company.id)], order="id", limit=1)
            .date
        )
        if not cls.install_day:
            raise AssertionError("The demo's follow-up run is missing.")

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
        today = self.install_day
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
        today = self.install_day
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

    def test_nothing_dated_after_today(self):
        """Invoices, credit notes, entries and payments of the demo company are dated on the day
        the demo was loaded at the latest (the company's local day); only due dates and promised
        dates may lie ahead."""
        today = self.install_day
        self.assertLessEqual(today, self.demo_company._cobranza_today())
        company = [("company_id", "=", self.demo_company.id)]
        moves = self.env["account.move"].search(company)
        self.assertGreaterEqual(len(moves), len(self.moves))
        late = moves.filtered(lambda m: m.date > today or (m.invoice_date and m.invoice_date > today))
        self.assertFalse(late, [(m.name, m.invoice_date, m.date) for m in late])
        lines = self.env["account.move.line"].search([*company, ("date", ">", today)])
        self.assertFalse(lines, lines.mapped("move_name"))
        payments = self.env["account.payment"].search(company)
        self.assertTrue(payments, "the demo has payments")
        late = payments.filtered(lambda p: p.date > today)
        self.assertFalse(late, [(p.name, p.date) for p in late])
        partials = self.env["account.partial.reconcile"].search(company)
        self.assertTrue(partials)
        self.assertLessEqual(max(partials.mapped("max_date")), today)
        refunds = self.moves.filtered(lambda m: m.move_type == "out_refund")
        self.assertTrue(refunds)
        for refund in refunds:
            self.assertGreaterEqual(refund.invoice_date, refund.reversed_entry_id.invoice_date, refund.name)
        for payment in payments.filtered("reconciled_invoice_ids"):
            self.assertGreaterEqual(
                payment.date, max(payment.reconciled_invoice_ids.mapped("invoice_date")), payment.name
            )
        # Documents due later were issued before today, not in the future.
        ahead = self.moves.filtered(lambda m: m.move_type == "out_invoice" and m.invoice_date_due > today)
        self.assertTrue(ahead)
        self.assertTrue(all(m.invoice_date <= today for m in ahead))

    def test_only_own_customers(self):
        """Odoo's own demo customers (Azure Interior, Deco Addict...) have no receivable in the
        Chilean company: its ledger, aging, queue and contacts hold only the demo's customers."""
        company = [("company_id", "=", self.demo_company.id)]
        lines = self.env["account.move.line"].search(
            [*company, ("account_id.account_type", "=", "asset_receivable")]
        )
        self.assertTrue(lines)
        foreign = lines.partner_id.commercial_partner_id - self.customers
        self.assertFalse(foreign, foreign.mapped("display_name"))
        for xmlid in ("base.res_partner_2", "base.res_partner_12"):
            self.assertNotIn(self.env.ref(xmlid), lines.partner_id.commercial_partner_id)
        aging = self.env["cobranza.aging.report"].search(company)
        self.assertTrue(aging)
        self.assertEqual(aging.partner_id.commercial_partner_id - self.customers, self.env["res.partner"])
        calls = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("cobranza_telefonica.mail_activity_type_cobranza_call").id,
                ),
            ]
        )
        self.assertTrue(calls, "the demo's follow-up run scheduled calls")
        called = self.env["res.partner"].browse(calls.mapped("res_id"))
        self.assertEqual(called - self.customers, self.env["res.partner"], called.mapped("name"))
        for model in ("cobranza.contact", "cobranza.contact.queue"):
            partners = self.env[model].search(company).partner_id.commercial_partner_id
            self.assertEqual(partners - self.customers, self.env["res.partner"], model)

    def test_admin_untouched(self):
        """The demo leaves the administrator as a fresh database has it (Odoo's own test suites
        depend on it): its company, language and time zone; it only may switch to the demo
        company. The demo's users belong to the Chilean company."""
        admin = self.env.ref("base.user_admin")
        self.assertEqual(admin.company_id, self.env.ref("base.main_company"))
        self.assertNotEqual(admin.company_id, self.demo_company)
        self.assertEqual(admin.lang, "en_US")
        self.assertEqual(admin.tz, "Europe/Brussels", "base's demo time zone of the administrator")
        self.assertIn(self.demo_company, admin.company_ids)
        for xmlid in ("cobranza_telefonica.user_cobrador_demo", "cobranza_telefonica.user_jefe_demo"):
            user = self.env.ref(xmlid)
            self.assertEqual(user.company_id, self.demo_company, xmlid)
            self.assertEqual(user.company_ids, self.demo_company, xmlid)
            self.assertEqual(user.lang, "es_419", xmlid)
