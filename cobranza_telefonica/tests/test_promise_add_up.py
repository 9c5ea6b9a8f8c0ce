"""Promises that add up: one currency per promise, compared like with like; never more promised
on an invoice than it owes (also with two collectors at the same moment); the call screen
leaving out what is already promised; credit notes ending a promise as settled; plans bound by
the horizon on their first instalment only (issue 10)."""

from datetime import date, datetime, timedelta
from unittest.mock import patch

import psycopg2.errors
from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import Cursor
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools import SQL, mute_logger

from .common import CobranzaCommon
from .test_promise import PromiseCommon


@tagged("post_install", "-at_install")
class TestPromiseAddUp(PromiseCommon):
    """The open promises on an invoice never claim more than it still owes."""

    def _refused(self, amounts, message="above what is still due", **kwargs):
        with self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
            self._promise(amounts, **kwargs)

    def test_two_promises_for_the_full_residual(self):
        first = self._promise({self.inv_a: 100000})
        self._refused({self.inv_a: 100000})
        self._refused({self.inv_a: 1}, "not yet promised on another open promise \\(\\$\\s?0\\W")
        self._refused({self.inv_a: 1, self.inv_b: 1000}, user=self.manager)
        # Another invoice is free; a cancelled promise frees its invoice.
        self.assertTrue(self._promise({self.inv_b: 50000}))
        first.action_cancel()
        self.assertTrue(self._promise({self.inv_a: 100000}))
        open_on_a = self.env["cobranza.promise.line"].search(
            [("move_id", "=", self.inv_a.id), ("promise_id.state", "=", "open")]
        )
        self.assertEqual(sum(open_on_a.mapped("amount")), 100000)

    def test_money_paid_on_an_open_promise_is_not_promised_twice(self):
        self._promise({self.inv_a: 60000})
        with freeze_time(self.at_noon(self.TODAY)):
            self._pay(self.inv_a, 30000, self.TODAY)
        # Owes 70,000; the open promise still claims 60,000 - 30,000 = 30,000: 40,000 free.
        self.assertEqual(self.inv_a.amount_residual, 70000)
        self.assertEqual(self.Promise._cobranza_available_amounts(self.inv_a), {self.inv_a.id: 40000})
        self._refused({self.inv_a: 40001})
        self.assertEqual(self._promise({self.inv_a: 40000}).amount, 40000)
        self.assertEqual(self.Promise._cobranza_available_amounts(self.inv_a), {self.inv_a.id: 0})

    def test_the_check_locks_the_invoices_first(self):
        """The invoices' rows are locked (and rewritten, for REPEATABLE READ) before the open
        promises on them are read: a second collector's check waits for the first one's."""
        statements = []
        execute = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            code = query.code if isinstance(query, SQL) else str(query)
            statements.append((code, tuple(query.params if isinstance(query, SQL) else params or ())))
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", spy):
            self._promise({self.inv_b: 1000, self.inv_a: 2000})
        ids = tuple(sorted((self.inv_a | self.inv_b).ids))
        lock = [
            index
            for index, (code, params) in enumerate(statements)
            if "FROM account_move" in code and "FOR NO KEY UPDATE" in code and ids in params
        ]
        rewrite = [
            index
            for index, (code, params) in enumerate(statements)
            if code.startswith("UPDATE account_move SET write_date = write_date") and ids in params
        ]
        self.assertTrue(lock, "the invoices are locked, ordered by id")
        self.assertTrue(rewrite, "and rewritten so a concurrent transaction cannot read a stale snapshot")
        claims = [
            index
            for index, (code, _params) in enumerate(statements)
            if index > lock[0] and '"cobranza_promise_line"' in code and code.lstrip().startswith("SELECT")
        ]
        self.assertTrue(claims, "the open promises are read after the lock")

    def test_plan_leaves_out_what_is_promised(self):
        self._promise({self.inv_a: 100000})
        with freeze_time(self.at_noon(self.TODAY)):
            plan = self.env["cobranza.payment.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set((self.inv_a | self.inv_b).ids)],
                    "instalment_count": 2,
                    "date_first": self.day(5),
                }
            )
            plan.action_generate()
        self.assertEqual(plan.amount_total, 50000, "only what inv_b owes is still free")
        self.assertEqual(plan.promise_ids.line_ids.move_id, self.inv_b, "nothing lands on inv_a")


@tagged("post_install", "-at_install")
class TestPromiseSettled(PromiseCommon):
    """An invoice settled by a credit note ends its promise as settled: neither kept nor broken."""

    def test_credit_note_settles_the_promise(self):
        promise = self._promise({self.inv_a: 100000}, days=5)
        with freeze_time(self.at_noon(self.day(1))):
            self._credit_note(self.inv_a, 100000, self.day(1))
        self.assertTrue(self.inv_a.currency_id.is_zero(self.inv_a.amount_residual))
        self.assertEqual((promise.state, promise.amount_paid), ("settled", 0))
        self.assertEqual(promise.date_decided, self.day(1))
        self._cron(8)
        self.assertEqual(promise.state, "settled", "the daily run leaves it alone")
        self.assertFalse(self._call_activities(), "no 'Broken promise' call")
        with freeze_time(self.at_noon(self.day(8))):
            self.assertNotIn(self.inv_a.id, self.inv_a._cobranza_exclusion_reasons())

    def test_paid_in_part_then_credited(self):
        promise = self._promise({self.inv_a: 100000}, days=5)
        with freeze_time(self.at_noon(self.day(1))):
            self._pay(self.inv_a, 30000, self.day(1))
            self._credit_note(self.inv_a, 70000, self.day(1))
        self.assertEqual((promise.state, promise.amount_paid), ("settled", 30000))

    def test_settled_is_neither_kept_nor_broken_in_the_figures(self):
        broken = self._promise({self.inv_b: 10000}, days=3)
        settled = self._promise({self.inv_a: 100000}, days=3)
        with freeze_time(self.at_noon(self.day(1))):
            self._credit_note(self.inv_a, 100000, self.day(1))
        self._cron(6)
        self.assertEqual((broken.state, settled.state), ("broken", "settled"))
        # A second broken promise would flag the customer; a settled one does not count.
        third = self._invoice(self.customer, 20000, self.day(-10))
        with freeze_time(self.at_noon(self.day(6))):
            other = self.Promise.with_user(self.collector).create(
                {
                    "partner_id": self.customer.id,
                    "date": self.day(7),
                    "line_ids": [Command.create({"move_id": third.id, "amount": 20000})],
                }
            )
            self._credit_note(third, 20000, self.day(6))
        self.assertEqual(other.state, "settled")
        self._cron(20)
        self.assertFalse(self.customer.with_company(self.company).cobranza_promise_flag)
        stats = self.Promise._cobranza_stats("commercial_partner_id")[self.customer.id]
        self.assertEqual((stats["count"], stats["broken"], stats["settled"], stats["kept"]), (3, 1, 2, 0))
        self.assertEqual(stats["kept_ratio"], 0.0, "decided: one broken, the settled ones left out")
        partner = self.customer.with_user(self.collector)
        self.assertEqual(partner.cobranza_promise_count, 3)
        self.assertEqual(partner.cobranza_promise_kept_ratio, 0.0)
        activities = self._call_activities()
        self.assertEqual(len(activities), 1, "one call, for the broken promise only")
        self.assertNotRegex(str(activities.note), r"100[.,]000")

    def test_unreconciled_credit_note_reopens(self):
        promise = self._promise({self.inv_a: 100000}, days=5)
        with freeze_time(self.at_noon(self.day(1))):
            refund = self._credit_note(self.inv_a, 100000, self.day(1))
            self.assertEqual(promise.state, "settled")
            refund.line_ids.remove_move_reconcile()
            self.assertEqual(promise.state, "open", "the invoice owes again")
        self._cron(8)
        self.assertEqual(promise.state, "broken")

    def test_plan_settled(self):
        with freeze_time(self.at_noon(self.TODAY)):
            plan = self.env["cobranza.payment.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.inv_b.ids)],
                    "instalment_count": 2,
                    "date_first": self.day(5),
                }
            )
            plan.action_generate()
        with freeze_time(self.at_noon(self.day(6))):
            self._pay(self.inv_b, 25000, self.day(6))
            self._credit_note(self.inv_b, 25000, self.day(6))
        self.assertEqual(plan.promise_ids.sorted("date").mapped("state"), ["kept", "settled"])
        self.assertEqual(plan.state, "kept")
        self.assertEqual(self.env["cobranza.payment.plan"]._state_from_promises(["settled"]), "settled")
        self.assertEqual(
            self.env["cobranza.payment.plan"]._state_from_promises(["broken", "settled"]), "broken"
        )


@tagged("post_install", "-at_install")
class TestPromiseCurrency(PromiseCommon):
    """A promise is in its invoices' currency and compares with their residual and the money
    they receive in that currency; statistics never add two currencies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.env.ref("base.USD")
        cls.usd.active = True
        cls.env["res.currency.rate"].search([("currency_id", "=", cls.usd.id)]).unlink()
        # USD per CLP: 950 CLP a dollar until the 19th, 1,000 from the 20th.
        cls.env["res.currency.rate"].create(
            [
                {
                    "currency_id": cls.usd.id,
                    "name": "2026-01-01",
                    "rate": 1 / 950,
                    "company_id": cls.company.id,
                },
                {
                    "currency_id": cls.usd.id,
                    "name": "2026-03-20",
                    "rate": 1 / 1000,
                    "company_id": cls.company.id,
                },
            ]
        )
        cls.inv_usd = cls._usd_invoice(1000.50, cls.TODAY - timedelta(days=10))

    @classmethod
    def _usd_invoice(cls, amount, due):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "journal_id": cls.sale_journal.id,
                "currency_id": cls.usd.id,
                "l10n_latam_document_type_id": cls.doc_types["33"].id,
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "Servicio", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        return move

    def _pay_usd(self, amount, day):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=self.inv_usd.ids)
            .create({"amount": amount, "currency_id": self.usd.id, "payment_date": day})
            ._create_payments()
        )

    def test_promise_in_dollars(self):
        promise = self._promise({self.inv_usd: 400.25}, days=7)
        self.assertEqual(promise.currency_id, self.usd)
        self.assertEqual(promise.line_ids.amount, 400.25, "cents kept: rounded in USD, not CLP")
        self.assertEqual(promise.amount, 400.25)
        self.assertEqual(promise.amount_company, round(400.25 * 950), "at the rate of the day made")
        self._refused_usd({self.inv_usd: 600.26})
        with freeze_time(self.at_noon(self.day(4))):
            self._pay_usd(300, self.day(4))  # at 1,000 CLP a dollar
        # Compared like with like: 300 USD of 400.25, not the 300,000 CLP the partial records.
        self.assertEqual((promise.state, promise.amount_paid), ("open", 300))
        with freeze_time(self.at_noon(self.day(5))):
            self._pay_usd(100.25, self.day(5))
        self.assertEqual((promise.state, promise.amount_paid), ("kept", 400.25))
        self.assertEqual(promise.amount_paid_company, promise.amount_company)

    def _refused_usd(self, amounts):
        with self.assertRaisesRegex(ValidationError, "above what is still due"), self.env.cr.savepoint():
            self._promise(amounts)

    def test_one_currency_per_promise(self):
        mixed = "one currency.*(CLP, USD|USD, CLP)"
        with self.assertRaisesRegex(ValidationError, mixed), self.env.cr.savepoint():
            self._promise({self.inv_a: 1000, self.inv_usd: 10})
        with freeze_time(self.at_noon(self.TODAY)):
            plan = self.env["cobranza.payment.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set((self.inv_a | self.inv_usd).ids)],
                    "date_first": self.day(5),
                }
            )
            with self.assertRaisesRegex(UserError, "one plan per currency"):
                plan.action_generate()
            plan.move_ids = self.inv_usd
            plan.instalment_count = 3
            plan.action_generate()
        self.assertEqual(plan.currency_id, self.usd)
        self.assertEqual(plan.promise_ids.mapped("amount"), [333.5, 333.5, 333.5])
        self.assertEqual(plan.promise_ids.currency_id, self.usd)

    def test_statistics_never_add_two_currencies(self):
        usd = self._promise({self.inv_usd: 100}, days=3)
        clp = self._promise({self.inv_a: 50000}, days=3)
        with freeze_time(self.at_noon(self.day(1))):
            self._pay_usd(100, self.day(1))
        self.assertEqual((usd.state, clp.state), ("kept", "open"))
        stats = self.Promise._cobranza_stats("user_id")[self.collector.id]
        self.assertEqual(stats["currency_id"], self.currency.id)
        # Company currency at the rate of the day each promise was made: 100 USD at 950.
        self.assertEqual(stats["amount"], 95000 + 50000)
        self.assertEqual(stats["amount_paid"], 95000)
        self.assertEqual(
            stats["by_currency"],
            {
                self.usd.id: {"amount": 100.0, "amount_paid": 100.0},
                self.currency.id: {"amount": 50000.0, "amount_paid": 0.0},
            },
        )
        partner = self.customer.with_user(self.collector)
        self.assertEqual(partner.cobranza_promise_amount, 145000)
        groups = self.Promise.read_group(
            [("commercial_partner_id", "=", self.customer.id)], ["amount_company:sum"], ["currency_id"]
        )
        self.assertEqual(
            {group["currency_id"][0]: group["amount_company"] for group in groups},
            {self.usd.id: 95000, self.currency.id: 50000},
        )
        # The promise's own amounts have no sum across promises (the pivot adds company amounts).
        self.assertFalse(self.Promise._fields["amount"].aggregator)
        self.assertFalse(self.Promise._fields["amount_paid"].aggregator)


NOW = datetime(2026, 3, 16, 14, 0)  # Monday 11:00 in Santiago


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestPromiseFromTheCall(CobranzaCommon):
    """The call screen: the activity's invoices, less what is already promised; plans whose
    later instalments pass the horizon."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.inv_old = cls._invoice(cls.customer, 100000, date(2026, 2, 14))
        cls.inv_new = cls._invoice(cls.customer, 50000, date(2026, 4, 15))

    def _open(self):
        activity = self.customer.activity_schedule(
            "cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=self.TODAY,
            user_id=self.collector.id,
        ).with_user(self.collector)
        action = activity.action_cobranza_start_call()
        form = Form(
            self.env["cobranza.call.wizard"].with_user(self.collector).with_context(**action["context"])
        )
        form.contact_result = "debtor"
        return form

    def _promise_old_in_full(self):
        return (
            self.env["cobranza.promise"]
            .with_user(self.collector)
            .create(
                {
                    "partner_id": self.customer.id,
                    "date": date(2026, 3, 25),
                    "line_ids": [Command.create({"move_id": self.inv_old.id, "amount": 100000})],
                }
            )
        )

    def test_new_promise_leaves_out_what_is_promised(self):
        self._promise_old_in_full()
        form = self._open()
        form.outcome = "promise"
        self.assertEqual(form.move_ids[:], self.inv_old | self.inv_new, "the activity's invoices")
        self.assertEqual(form.promise_move_ids[:], self.inv_new, "inv_old is promised in full")
        self.assertEqual(form.promise_amount_available, 50000)
        form.promise_move_ids.add(self.inv_old)  # the collector adds it back: still nothing lands on it
        form.promise_amount = 50001
        form.promise_date = date(2026, 3, 31)
        with self.assertRaisesRegex(UserError, "not yet promised"):
            form.save().action_confirm()
        form = self._open()
        form.outcome = "promise"
        form.promise_move_ids.add(self.inv_old)
        form.promise_amount = 30000
        form.promise_date = date(2026, 3, 31)
        form.save().action_confirm()
        promise = self.env["cobranza.call"].search([("partner_id", "=", self.customer.id)]).promise_ids
        self.assertRecordValues(promise.line_ids, [{"move_id": self.inv_new.id, "amount": 30000}])

    def test_three_by_thirty_days_plan(self):
        """3 × 30 days from the 20th ends on 19 May, past the 60-day horizon (15 May): allowed,
        as the README says; a first instalment past the horizon is not."""
        form = self._open()
        form.outcome = "payment_plan"
        form.promise_amount = 150000
        form.promise_date = date(2026, 3, 20)
        form.plan_instalments = 3
        form.plan_interval_days = 30
        form.save().action_confirm()
        promises = self.env["cobranza.call"].search([("partner_id", "=", self.customer.id)]).promise_ids
        self.assertEqual(
            promises.sorted("date").mapped("date"), [date(2026, 3, 20), date(2026, 4, 19), date(2026, 5, 19)]
        )
        self.assertEqual(promises.plan_id.state, "open")
        self.assertEqual(sum(promises.mapped("amount")), 150000)

    def test_first_instalment_past_the_horizon(self):
        form = self._open()
        form.outcome = "payment_plan"
        form.promise_amount = 150000
        form.promise_date = date(2026, 5, 16)
        form.plan_instalments = 2
        with self.assertRaisesRegex(UserError, "within 60 days"):
            form.save().action_confirm()
        plan = self.env["cobranza.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.inv_old.ids)],
                "date_first": date(2026, 5, 16),
            }
        )
        with self.assertRaisesRegex(ValidationError, "first instalment of the plan"), self.env.cr.savepoint():
            plan.action_generate()
        plan.date_first = date(2026, 5, 15)
        plan.action_generate()
        self.assertEqual(plan.promise_ids.sorted("date")[-1].date, date(2026, 7, 14))

    def test_dollar_invoices_promised_apart(self):
        usd = self.env.ref("base.USD")
        usd.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": usd.id, "name": "2026-01-01", "rate": 1 / 950, "company_id": self.company.id}
        )
        inv_usd = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "journal_id": self.sale_journal.id,
                "currency_id": usd.id,
                "l10n_latam_document_type_id": self.doc_types["33"].id,
                "invoice_date": date(2026, 2, 1),
                "invoice_date_due": date(2026, 3, 1),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "Servicio", "quantity": 1, "price_unit": 200.5, "tax_ids": []})
                ],
            }
        )
        inv_usd.action_post()
        form = self._open()
        form.outcome = "promise"
        self.assertEqual(form.promise_move_ids[:], self.inv_old | self.inv_new, "the company's currency")
        form.promise_move_ids.add(inv_usd)
        form.promise_amount = 10
        form.promise_date = date(2026, 3, 31)
        with self.assertRaisesRegex(UserError, "one currency"):
            form.save().action_confirm()
        form = self._open()
        form.outcome = "promise"
        form.promise_move_ids.clear()
        form.promise_move_ids.add(inv_usd)
        self.assertEqual(form.promise_currency_id, usd)
        self.assertEqual(form.promise_amount_available, 200.5)
        form.promise_amount = 150.75
        form.promise_date = date(2026, 3, 31)
        form.save().action_confirm()
        promise = self.env["cobranza.call"].search([("partner_id", "=", self.customer.id)]).promise_ids
        self.assertEqual((promise.currency_id, promise.amount), (usd, 150.75))


@tagged("post_install", "-at_install")
class TestPromiseConcurrency(TransactionCase):
    """Two collectors promise the full residual of one invoice at the same moment, in two
    database sessions: the second waits for the first's lock, and once the first commits it
    fails with a serialization error (Odoo retries it) and its retry is refused. The data is
    committed (other sessions must see it) on the database's main company, and removed after."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            journal = env["account.journal"].search(
                [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
            )
            if not journal:
                self.skipTest("the main company has no sales journal")
            partner = env["res.partner"].create({"name": "Cliente Concurrente SpA"})
            invoice = (
                env["account.move"]
                .with_company(company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "journal_id": journal.id,
                        "invoice_date": company._cobranza_today() - timedelta(days=40),
                        "invoice_date_due": company._cobranza_today() - timedelta(days=10),
                        "invoice_line_ids": [
                            Command.create(
                                {"name": "Servicio", "quantity": 1, "price_unit": 1000, "tax_ids": []}
                            )
                        ],
                    }
                )
            )
            invoice.action_post()
            self.company_id, self.partner_id, self.invoice_id = company.id, partner.id, invoice.id
            self.residual = invoice.amount_residual
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["cobranza.promise"].search([("partner_id", "=", self.partner_id)]).unlink()
            invoice = env["account.move"].browse(self.invoice_id)
            invoice.button_draft()
            invoice.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def _create(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})
        return env["cobranza.promise"].create(
            {
                "company_id": self.company_id,
                "partner_id": self.partner_id,
                "date": env["res.company"].browse(self.company_id)._cobranza_today() + timedelta(days=5),
                "line_ids": [Command.create({"move_id": self.invoice_id, "amount": self.residual})],
            }
        )

    def test_two_collectors_at_once(self):
        first_cr = self.registry.cursor()
        waiting_cr = self.registry.cursor()
        late_cr = self.registry.cursor()
        try:
            late_cr.execute("SELECT 1")  # its snapshot is taken now, before the first one commits
            self._create(first_cr)
            first_cr.flush()
            # The second collector's check waits for the first one's lock.
            waiting_cr.execute("SET LOCAL lock_timeout = '500ms'")
            with self.assertRaises(psycopg2.errors.LockNotAvailable), mute_logger("odoo.sql_db"):
                self._create(waiting_cr)
            waiting_cr.rollback()
            first_cr.commit()
            # A transaction that started before the commit does not go on with its old snapshot.
            with self.assertRaises(psycopg2.errors.SerializationFailure), mute_logger("odoo.sql_db"):
                self._create(late_cr)
            late_cr.rollback()
            # Odoo retries it: the retry sees the first promise and is refused.
            with self.assertRaisesRegex(ValidationError, "above what is still due"):
                self._create(late_cr)
            late_cr.rollback()
        finally:
            for cr in (first_cr, waiting_cr, late_cr):
                cr.rollback()
                cr.close()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            promises = env["cobranza.promise"].search([("partner_id", "=", self.partner_id)])
            self.assertEqual(len(promises), 1, "one open promise for the full residual, not two")
            self.assertEqual(promises.amount, self.residual)
