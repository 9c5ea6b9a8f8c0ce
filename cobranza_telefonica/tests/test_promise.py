from datetime import timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import dateutil, safe_eval

from .common import CobranzaCommon


class PromiseCommon(CobranzaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Promise = cls.env["cobranza.promise"]
        cls.call_type = cls.env.ref("cobranza_telefonica.mail_activity_type_cobranza_call")
        # Invoices issued and due in February: overdue on TODAY (2026-03-16).
        due = cls.TODAY - timedelta(days=20)
        cls.inv_a = cls._invoice(cls.customer, 100000, due)
        cls.inv_b = cls._invoice(cls.customer, 50000, due + timedelta(days=1))

    def day(self, days):
        return self.TODAY + timedelta(days=days)

    def _promise(self, amounts, days=7, user=None, **vals):
        """A promise made TODAY by the collector: ``amounts`` is {invoice: amount}."""
        with freeze_time(self.at_noon(self.TODAY)):
            return self.Promise.with_user(user or self.collector).create(
                {
                    "partner_id": self.customer.id,
                    "date": self.day(days),
                    "line_ids": [
                        Command.create({"move_id": move.id, "amount": amount})
                        for move, amount in amounts.items()
                    ],
                    **vals,
                }
            )

    def _cron(self, days):
        with freeze_time(self.at_noon(self.day(days))):
            return self.Promise._cron_cobranza_check_promises()

    def _call_activities(self, partner=None):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", (partner or self.customer).id),
                ("activity_type_id", "=", self.call_type.id),
            ]
        )


@tagged("post_install", "-at_install")
class TestPromiseValidation(PromiseCommon):
    def _assert_refused(self, amounts, message, days=7, error=ValidationError, **vals):
        before = self.Promise.search_count([])
        with self.assertRaisesRegex(error, message), self.env.cr.savepoint():
            self._promise(amounts, days=days, **vals)
        self.assertEqual(self.Promise.search_count([]), before, "nothing is saved")

    def test_valid_promise(self):
        promise = self._promise({self.inv_a: 80000, self.inv_b: 40000})
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.amount, 120000)
        self.assertEqual(promise.user_id, self.collector)
        self.assertEqual(promise.date_made, self.TODAY)
        self.assertEqual(promise.date_deadline, self.day(9), "two days of grace by default")
        self.assertEqual(promise.date_reminder, self.day(6), "reminder one day before by default")
        self.assertEqual(promise.move_ids, self.inv_a | self.inv_b)

    def test_bad_amounts(self):
        self._assert_refused({self.inv_a: 0}, "greater than zero")
        self._assert_refused({self.inv_a: -5000}, "greater than zero")
        self._assert_refused({self.inv_a: 100001}, "above what is still due")
        self._assert_refused({}, "greater than zero")

    def test_bad_dates(self):
        self._assert_refused({self.inv_a: 1000}, "in the past", days=-1)
        self._assert_refused({self.inv_a: 1000}, "more than 60 days away", days=61)
        self.assertTrue(self._promise({self.inv_a: 1000}, days=60), "the horizon itself is allowed")
        self.company.cobranza_promise_horizon_days = 90
        self.assertTrue(self._promise({self.inv_a: 1000}, days=61))

    def test_past_day_only_when_loading_data(self):
        """Data loaded as superuser (the demo) may record a promise as of a past day; a user may not."""
        past = self.day(-10)
        vals = {
            "company_id": self.company.id,
            "partner_id": self.customer.id,
            "date": self.day(-5),
            "line_ids": [Command.create({"move_id": self.inv_a.id, "amount": 1000})],
        }
        with freeze_time(self.at_noon(self.TODAY)):
            with self.assertRaisesRegex(ValidationError, "in the past"), self.env.cr.savepoint():
                self.Promise.with_user(self.collector).with_context(cobranza_today=past).create(vals)
            with self.assertRaisesRegex(ValidationError, "in the past"), self.env.cr.savepoint():
                self.Promise.sudo().with_context(cobranza_today=self.day(-4)).create(vals)
            promise = self.Promise.sudo().with_context(cobranza_today=past).create(vals)
        self.assertEqual((promise.date_made, promise.state), (past, "open"))
        self._cron(0)
        self.assertEqual(promise.state, "broken", "the daily run decides it like any other")

    def test_bad_invoices(self):
        other = self._invoice(self.customer_b, 5000, self.TODAY)
        self._assert_refused({other: 1000}, "not to Ferretería")
        paid = self._invoice(self.customer, 7000, self.TODAY)
        self._pay(paid, 7000, self.TODAY)
        self._assert_refused({paid: 1000}, "already paid")
        refund = self._invoice(self.customer, 3000, self.TODAY, self.TODAY, "61", move_type="out_refund")
        self._assert_refused({refund: 1000}, "not a posted customer invoice")
        draft = self._invoice(self.customer, 3000, self.TODAY, post=False)
        self._assert_refused({draft: 1000}, "not a posted customer invoice")
        other_company = self.env["res.company"].create(
            {"name": "Otra Empresa SpA", "currency_id": self.currency.id}
        )
        self.collector.company_ids = [Command.link(other_company.id)]
        self._assert_refused({self.inv_a: 1000}, "compan", error=UserError, company_id=other_company.id)

    def test_settings(self):
        settings = self.env["res.config.settings"].create(
            {"cobranza_promise_grace_days": 5, "cobranza_promise_reminder_days": 3}
        )
        settings.execute()
        self.assertEqual(self.env.company.cobranza_promise_grace_days, 5)
        self.company.cobranza_promise_grace_days = 4
        promise = self._promise({self.inv_a: 1000})
        self.assertEqual(promise.date_deadline, self.day(11))
        with self.assertRaises(ValidationError):
            self.company.cobranza_promise_grace_days = -1


@tagged("post_install", "-at_install")
class TestPromiseEvaluation(PromiseCommon):
    def test_partial_payments_across_invoices_kept_before_date(self):
        promise = self._promise({self.inv_a: 80000, self.inv_b: 40000}, days=7)
        with freeze_time(self.at_noon(self.day(2))):
            self._pay(self.inv_a, 60000, self.day(2))
            self.assertEqual(promise.state, "open")
            self.assertEqual(promise.amount_paid, 60000, "evaluated from the reconciliation itself")
        with freeze_time(self.at_noon(self.day(3))):
            # One payment spread over both invoices completes the promise before its date.
            self._pay(self.inv_a | self.inv_b, 60000, self.day(3))
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.amount_paid, 120000)
        self.assertEqual(promise.date_decided, self.day(3))
        self.assertFalse(self._call_activities())
        self._cron(20)
        self.assertEqual(promise.state, "kept", "the daily run leaves decided promises alone")

    def test_payment_before_the_promise_does_not_count(self):
        self._pay(self.inv_a, 10000, self.day(-3))
        promise = self._promise({self.inv_a: 90000}, days=5)
        with freeze_time(self.at_noon(self.day(4))):
            self._pay(self.inv_a, 45000, self.day(4))
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.amount_paid, 45000)
        self._cron(8)
        self.assertEqual(promise.state, "partial")

    def test_paid_within_grace_is_kept(self):
        promise = self._promise({self.inv_a: 100000}, days=5)
        self._cron(6)
        self.assertEqual(promise.state, "open", "still within the grace days")
        with freeze_time(self.at_noon(self.day(7))):
            self._pay(self.inv_a, 100000, self.day(7))
        self.assertEqual(promise.state, "kept")

    def test_paid_after_grace_is_broken(self):
        promise = self._promise({self.inv_a: 100000}, days=5)
        self._cron(7)
        self.assertEqual(promise.state, "open")
        with freeze_time(self.at_noon(self.day(8))):
            self._pay(self.inv_a, 100000, self.day(8))
        self.assertEqual(promise.state, "broken", "paid one day after the grace ended")
        self.assertEqual(promise.amount_paid, 0)
        self.assertEqual(promise.date_decided, self.day(8))

    def test_broken_by_the_daily_run_schedules_one_call(self):
        promise = self._promise({self.inv_a: 30000}, days=5)
        due, _remind = self._cron(8)
        self.assertEqual(due, promise)
        self.assertEqual(promise.state, "broken")
        activity = self._call_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Broken promise")
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.date_deadline, self.day(8))
        self.assertRegex(str(activity.note), r"30[.,]000")
        due, _remind = self._cron(8)
        self.assertFalse(due, "safe to run twice")
        self.assertEqual(len(self._call_activities()), 1)

    def test_partially_kept_updates_the_open_call(self):
        existing = self.customer.activity_schedule(
            act_type_xmlid="cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=self.day(30),
            summary="Collection call",
            user_id=self.manager.id,
        )
        promise = self._promise({self.inv_a: 50000, self.inv_b: 50000}, days=5)
        with freeze_time(self.at_noon(self.day(5))):
            self._pay(self.inv_b, 20000, self.day(5))
        self._cron(8)
        self.assertEqual(promise.state, "partial")
        self.assertEqual(promise.amount_paid, 20000)
        activity = self._call_activities()
        self.assertEqual(activity, existing, "the customer keeps one call activity")
        self.assertEqual(activity.summary, "Broken promise")
        self.assertEqual(activity.date_deadline, self.day(8), "brought forward to today")
        self.assertEqual(activity.user_id, self.manager)

    def test_credit_note_is_not_payment(self):
        promise = self._promise({self.inv_a: 60000}, days=5)
        with freeze_time(self.at_noon(self.day(1))):
            self._credit_note(self.inv_a, 60000, self.day(1))
        self.assertEqual(self.inv_a.amount_residual, 40000)
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.amount_paid, 0)
        self._cron(8)
        self.assertEqual(promise.state, "broken")

    def test_cancelled_promise(self):
        promise = self._promise({self.inv_a: 60000}, days=5)
        with freeze_time(self.at_noon(self.TODAY)):
            self.assertEqual(self.inv_a._cobranza_exclusion_reasons(), {self.inv_a.id: "promise"})
            promise.with_user(self.collector).action_cancel()
            self.assertEqual(promise.state, "cancelled")
            self.assertEqual(self.inv_a._cobranza_exclusion_reasons(), {})
        with freeze_time(self.at_noon(self.day(2))):
            self._pay(self.inv_a, 60000, self.day(2))
        self._cron(8)
        self.assertEqual(promise.state, "cancelled")
        self.assertFalse(self._call_activities())
        with self.assertRaisesRegex(UserError, "Only open promises"):
            promise.action_cancel()

    def test_exclusion_while_open_and_not_past_grace(self):
        disputed = self._invoice(self.customer, 9000, self.TODAY)
        disputed.cobranza_dispute = True
        self._promise({self.inv_a: 60000, disputed: 9000}, days=5)
        free = self._invoice(self.customer, 1000, self.TODAY)
        moves = self.inv_a | disputed | free
        with freeze_time(self.at_noon(self.TODAY)):
            self.assertEqual(
                moves._cobranza_exclusion_reasons(), {self.inv_a.id: "promise", disputed.id: "dispute"}
            )
        with freeze_time(self.at_noon(self.day(7))):
            self.assertEqual(
                moves._cobranza_exclusion_reasons()[self.inv_a.id], "promise", "last day of grace"
            )
        with freeze_time(self.at_noon(self.day(8))):
            self.assertNotIn(self.inv_a.id, moves._cobranza_exclusion_reasons(), "back to follow-up")
        self._cron(8)
        with freeze_time(self.at_noon(self.TODAY)):
            self.assertEqual(moves._cobranza_exclusion_reasons(), {disputed.id: "dispute"}, "broken")

    def test_two_broken_promises_flag_the_customer(self):
        first = self._promise({self.inv_a: 10000}, days=5)
        self._cron(8)
        self.assertEqual(first.state, "broken")
        self.assertFalse(self.customer.with_company(self.company).cobranza_promise_flag)
        with freeze_time(self.at_noon(self.day(10))):
            second = self.Promise.with_user(self.collector).create(
                {
                    "partner_id": self.customer.id,
                    "date": self.day(15),
                    "line_ids": [Command.create({"move_id": self.inv_b.id, "amount": 5000})],
                }
            )
        self._cron(20)
        self.assertEqual(second.state, "broken")
        self.assertTrue(self.customer.with_company(self.company).cobranza_promise_flag)
        message = self.customer.message_ids.filtered(lambda m: "flagged" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertIn(self.manager.partner_id, message.partner_ids, "the manager is told")
        self.assertNotIn(self.collector.partner_id, message.partner_ids)
        self.assertEqual(len(self._call_activities()), 1)

    def test_reminder_sent_once(self):
        self.customer.email = "pagos@robles.cl"
        promise = self._promise({self.inv_a: 10000}, days=3)
        _due, remind = self._cron(1)
        self.assertFalse(remind)
        self.assertFalse(promise.reminder_sent)
        _due, remind = self._cron(2)
        self.assertEqual(remind, promise)
        self.assertTrue(promise.reminder_sent)
        message = promise.message_ids.filtered(lambda m: m.subject and "Recordatorio" in m.subject)
        self.assertEqual(len(message), 1)
        self.assertIn(self.customer, message.partner_ids)
        self.assertRegex(str(message.body), r"10[.,]000")
        _due, remind = self._cron(2)
        self.assertFalse(remind, "sent once")

    def test_statistics(self):
        kept = self._promise({self.inv_a: 40000}, days=3)
        broken = self._promise({self.inv_b: 10000}, days=3, user=self.manager)
        cancelled = self._promise({self.inv_b: 5000}, days=3)
        cancelled.action_cancel()
        with freeze_time(self.at_noon(self.day(1))):
            self._pay(self.inv_a, 40000, self.day(1))
        self._cron(6)
        self.assertEqual((kept.state, broken.state), ("kept", "broken"))
        partner = self.customer.with_user(self.collector)
        self.assertEqual(partner.cobranza_promise_count, 2, "cancelled promises are left out")
        self.assertEqual(partner.cobranza_promise_kept_count, 1)
        self.assertEqual(partner.cobranza_promise_broken_count, 1)
        self.assertAlmostEqual(partner.cobranza_promise_kept_ratio, 0.5)
        self.assertEqual(partner.cobranza_promise_amount, 50000)
        self.assertEqual(partner.cobranza_promise_amount_paid, 40000)
        per_collector = self.Promise._cobranza_stats("user_id")
        self.assertEqual(per_collector[self.collector.id]["kept_ratio"], 1.0)
        self.assertEqual(per_collector[self.manager.id]["broken"], 1)
        action = partner.action_cobranza_view_promises()
        self.assertEqual(self.Promise.search(action["domain"]), kept | broken | cancelled)


@tagged("post_install", "-at_install")
class TestPaymentPlan(PromiseCommon):
    def test_three_instalments(self):
        with freeze_time(self.at_noon(self.TODAY)):
            plan = (
                self.env["cobranza.payment.plan"]
                .with_user(self.collector)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set((self.inv_a | self.inv_b).ids)],
                        "amount_total": 100000,
                        "instalment_count": 3,
                        "date_first": self.day(10),
                        "interval_days": 30,
                    }
                )
            )
            self.assertEqual(plan.state, "draft")
            plan.action_generate()
        instalments = plan.promise_ids.sorted("date")
        self.assertEqual(instalments.mapped("amount"), [33333, 33333, 33334], "CLP: remainder on the last")
        self.assertEqual(instalments.mapped("date"), [self.day(10), self.day(40), self.day(70)])
        self.assertEqual(instalments[2].line_ids.move_id, self.inv_a, "oldest invoice first")
        self.assertEqual(instalments[2].line_ids.amount, 33334)
        self.assertEqual(plan.state, "open")
        with freeze_time(self.at_noon(self.day(11))):
            self._pay(self.inv_a, 33333, self.day(11))
        self.assertEqual(instalments.mapped("state"), ["kept", "open", "open"])
        with freeze_time(self.at_noon(self.day(41))):
            self._pay(self.inv_a, 20000, self.day(41))
        self._cron(43)
        self.assertEqual(instalments.mapped("state"), ["kept", "partial", "open"])
        self.assertEqual(instalments[1].amount_paid, 20000)
        with freeze_time(self.at_noon(self.day(70))):
            self._pay(self.inv_a, 46667, self.day(70))
        self.assertEqual(instalments.mapped("state"), ["kept", "partial", "kept"])
        self.assertEqual(instalments[2].amount_paid, 33334)
        self.assertEqual(plan.state, "partial")
        self.assertEqual(plan.amount, 100000)
        self.assertEqual(plan.amount_paid, 33333 + 20000 + 33334)
        with self.assertRaisesRegex(UserError, "already created"):
            plan.action_generate()

    @freeze_time(CobranzaCommon.at_noon(CobranzaCommon.TODAY))
    def test_plan_above_due_and_cancel(self):
        plan = self.env["cobranza.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.inv_b.ids)],
                "amount_total": 50001,
                "date_first": self.TODAY,
            }
        )
        with self.assertRaisesRegex(UserError, "above what is still due"):
            plan.action_generate()
        self.assertFalse(plan.promise_ids)
        plan.amount_total = 0
        plan.action_generate()
        self.assertEqual(sum(plan.promise_ids.mapped("amount")), 50000, "defaults to what is due")
        plan.action_cancel()
        self.assertEqual(plan.state, "cancelled")

    def test_state_from_promises(self):
        state = self.env["cobranza.payment.plan"]._state_from_promises
        self.assertEqual(state([]), "draft")
        self.assertEqual(state(["cancelled"]), "cancelled")
        self.assertEqual(state(["kept", "open"]), "open")
        self.assertEqual(state(["kept", "cancelled"]), "kept")
        self.assertEqual(state(["broken", "broken"]), "broken")
        self.assertEqual(state(["kept", "broken"]), "partial")


@tagged("post_install", "-at_install")
class TestPromiseAccess(PromiseCommon):
    def test_collector_yes_plain_user_no(self):
        promise = self._promise({self.inv_a: 1000})
        self.assertEqual(self.Promise.with_user(self.collector).search([]), promise)
        with self.assertRaises(AccessError):
            self._promise({self.inv_a: 1000}, user=self.plain_user)
        with self.assertRaises(AccessError):
            self.Promise.with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            promise.with_user(self.collector).unlink()
        promise.with_user(self.manager).unlink()

    def test_payment_by_an_accountant_evaluates(self):
        """Whoever reconciles the payment need not be a collector."""
        accountant = new_test_user(
            self.env,
            login="test_billing",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.assertFalse(accountant.has_group("cobranza_telefonica.group_cobranza_collector"))
        promise = self._promise({self.inv_b: 50000})
        with freeze_time(self.at_noon(self.day(1))):
            wizard = (
                self.env["account.payment.register"]
                .with_user(accountant)
                .with_context(active_model="account.move", active_ids=self.inv_b.ids)
                .create({"amount": 50000, "payment_date": self.day(1)})
            )
            wizard._create_payments()
        self.assertEqual(promise.state, "kept")

    def test_multi_company_isolation(self):
        promise = self._promise({self.inv_a: 1000})
        other_company = self.env["res.company"].create(
            {"name": "Otra Empresa SpA", "currency_id": self.currency.id}
        )
        outsider = new_test_user(
            self.env,
            login="test_other_collector",
            groups="base.group_user,cobranza_telefonica.group_cobranza_collector",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        self.assertFalse(self.Promise.with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            promise.with_user(outsider).read(["amount"])
        self.assertFalse(self.env["cobranza.promise.line"].with_user(outsider).search([]))
        self.assertEqual(self.customer.with_user(outsider).cobranza_promise_count, 0)


@tagged("post_install", "-at_install")
class TestPromiseUnreconcile(PromiseCommon):
    def test_unreconciled_payment_reopens_kept_promise(self):
        promise = self._promise({self.inv_a: 40000}, days=5)
        with freeze_time(self.at_noon(self.day(1))):
            payment = self._pay(self.inv_a, 40000, self.day(1))
            self.assertEqual(promise.state, "kept")
            payment.move_id.line_ids.remove_move_reconcile()
            self.assertEqual(promise.state, "open", "the money is no longer on the invoice")
            self.assertEqual(promise.amount_paid, 0)
            self.assertFalse(promise.date_decided)
        self._cron(8)
        self.assertEqual(promise.state, "broken")

    def test_after_grace_a_kept_promise_stays_kept(self):
        promise = self._promise({self.inv_a: 40000}, days=5)
        with freeze_time(self.at_noon(self.day(1))):
            payment = self._pay(self.inv_a, 40000, self.day(1))
        with freeze_time(self.at_noon(self.day(20))):
            payment.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(promise.state, "kept")


@tagged("post_install", "-at_install")
class TestPromiseViews(PromiseCommon):
    def test_views_open_for_a_collector(self):
        for model, modes in (
            ("cobranza.promise", ("list", "form", "kanban", "calendar", "pivot", "graph", "search")),
            ("cobranza.payment.plan", ("list", "form", "search")),
        ):
            views = self.env[model].with_user(self.collector).get_views([(False, mode) for mode in modes])
            self.assertEqual(set(views["views"]), set(modes))
        partner_form = self.env["res.partner"].with_user(self.collector).get_views([(False, "form")])
        self.assertIn("cobranza_promise_count", partner_form["views"]["form"]["arch"])

    def test_invoice_smart_button(self):
        promise = self._promise({self.inv_a: 1000, self.inv_b: 2000})
        cancelled = self._promise({self.inv_b: 3000})
        cancelled.action_cancel()
        inv_a, inv_b = self.inv_a.with_user(self.collector), self.inv_b.with_user(self.collector)
        self.assertEqual((inv_a.cobranza_promise_count, inv_b.cobranza_promise_count), (1, 2))
        other = self._invoice(self.customer, 5000, self.TODAY).with_user(self.collector)
        self.assertEqual(other.cobranza_promise_count, 0)
        action = inv_b.action_cobranza_view_promises()
        self.assertEqual(self.Promise.search(action["domain"]), promise | cancelled, "every state")
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        form = self.env["account.move"].with_user(self.collector).get_views([(False, "form")])
        self.assertIn("action_cobranza_view_promises", form["views"]["form"]["arch"])
        billing = new_test_user(
            self.env,
            login="test_billing_only",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        form = self.env["account.move"].with_user(billing).get_views([(False, "form")])
        self.assertNotIn("action_cobranza_view_promises", form["views"]["form"]["arch"], "collectors only")
        with self.assertRaises(AccessError):
            self.inv_a.with_user(billing).read(["cobranza_promise_count"])

    def test_flag_in_customers_with_debt(self):
        view = self.env.ref("cobranza_telefonica.view_partner_list_cobranza")
        views = self.env["res.partner"].with_user(self.collector).get_views([(view.id, "list")])
        column = etree.fromstring(views["views"]["list"]["arch"]).xpath(
            "//field[@name='cobranza_promise_flag']"
        )
        self.assertEqual(column[0].get("optional"), "show")
        self.customer.with_company(self.company).cobranza_promise_flag = True
        flagged = (
            self.env["res.partner"]
            .with_user(self.collector)
            .search(
                [("id", "in", (self.customer | self.customer_b).ids), ("cobranza_promise_flag", "=", True)]
            )
        )
        self.assertEqual(flagged, self.customer)

    def test_search_filters(self):
        today = self._promise({self.inv_a: 1000}, days=0)
        sunday = self._promise({self.inv_a: 1000}, days=6)
        next_monday = self._promise({self.inv_a: 1000}, days=7)
        broken = self._promise({self.inv_a: 1000}, days=1)
        partial = self._promise({self.inv_b: 2000}, days=1)
        arch = self.env.ref("cobranza_telefonica.view_cobranza_promise_search").arch
        promises = today | sunday | next_monday | broken | partial
        with freeze_time(self.at_noon(self.TODAY)):
            self.assertEqual(self._filter(arch, "due_today", promises), today)
        with freeze_time(self.at_noon(self.day(1))):
            self._pay(self.inv_b, 500, self.day(1))
        self._cron(4)
        self.assertEqual((broken.state, partial.state), ("broken", "partial"))
        with freeze_time(
            self.at_noon(self.day(2))
        ):  # a Wednesday: the week runs from TODAY (Monday) to day 6
            self.assertEqual(self._filter(arch, "this_week", promises), today | sunday | broken | partial)
        self.assertEqual(
            self._filter(arch, "not_kept", promises), today | broken | partial, "due TODAY, unpaid"
        )

    def _filter(self, arch, name, promises):
        node = etree.fromstring(arch).xpath(f"//filter[@name='{name}']")[0]
        context_today = safe_datetime.date.today
        domain = safe_eval(
            node.get("domain"),
            {"context_today": context_today, "relativedelta": dateutil.relativedelta.relativedelta},
        )
        return promises.filtered_domain(domain)
