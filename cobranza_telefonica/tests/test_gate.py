from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CobranzaCommon

MONDAY = datetime(2026, 3, 16, 14, 0)  # Monday 11:00 in Santiago (UTC-3)
SUNDAY = datetime(2026, 3, 15, 14, 0)


@tagged("post_install", "-at_install")
class TestContactGate(CobranzaCommon):
    """Every entry point of a call asks the one contact gate; what it forbids is not recorded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.invoice = cls._invoice(cls.customer, 100000, date(2026, 2, 14))
        cls.other_collector = cls._create_user(
            "other_collector", "cobranza_telefonica.group_cobranza_collector"
        )

    def _activity(self, partner=None, user=None):
        return (partner or self.customer).activity_schedule(
            "cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=date(2026, 3, 16),
            user_id=(user or self.collector).id,
        )

    def _values(self, **values):
        return {"partner_id": self.customer, "contact_result": "no_answer", **values}

    def _record(self, user=None, **values):
        return (
            self.env["cobranza.call"]
            .with_user(user or self.collector)
            ._cobranza_record(self._values(**values))
        )

    def _contacts(self, partner=None):
        return self.env["cobranza.contact"].search([("partner_id", "=", (partner or self.customer).id)])

    def test_blocked_call_refused_from_every_entry_point(self):
        activity = self._activity()
        with freeze_time(SUNDAY):
            entry_points = {
                "queue": lambda: activity.with_user(self.collector).action_cobranza_start_call(),
                "customer": lambda: self.customer.with_user(self.collector).action_cobranza_start_call(),
                "invoice": lambda: self.invoice.with_user(self.collector).action_cobranza_start_call(),
                "record": lambda: self._record(activity_id=activity),
            }
            for name, start in entry_points.items():
                with self.subTest(entry_point=name), self.assertRaisesRegex(UserError, "not allowed now"):
                    start()
        self.assertFalse(self.env["cobranza.call"].search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self._contacts())

    def test_second_call_of_the_week_refused(self):
        with freeze_time(MONDAY):
            self._record()
            self.assertEqual(len(self._contacts()), 1)
        with freeze_time(MONDAY + timedelta(days=2)):
            with self.assertRaisesRegex(UserError, "weekly limit"):
                self.customer.with_user(self.collector).action_cobranza_start_call()
            with self.assertRaisesRegex(UserError, "weekly limit"):
                self._record()
        self.assertEqual(len(self._contacts()), 1)

    def test_unanswered_calls_setting(self):
        """By default every attempt counts toward the weekly limit; a company may leave out the
        attempts that reached nobody."""
        with freeze_time(MONDAY):
            Call = self.env["cobranza.call"].with_user(self.collector)
            self.assertEqual(
                Call._cobranza_propose_next_call(self.customer, "no_answer"), datetime(2026, 3, 23, 14, 0)
            )
            self.company.cobranza_count_unanswered_calls = False
            self.assertEqual(
                Call._cobranza_propose_next_call(self.customer, "no_answer"), datetime(2026, 3, 17, 14, 0)
            )
            self.assertEqual(
                Call._cobranza_propose_next_call(self.customer, "debtor"), datetime(2026, 3, 23, 14, 0)
            )
            self._record(contact_result="busy")
            self.assertRecordValues(self._contacts(), [{"channel": "call", "reached": False}])
        with freeze_time(MONDAY + timedelta(days=1)):
            self._record(contact_result="debtor", outcome="refuses")  # the busy attempt did not count

    def test_proposed_next_call_inside_hours(self):
        with freeze_time(datetime(2026, 3, 14, 22, 30)):  # Saturday 19:30: tomorrow is a Sunday
            self.company.cobranza_count_unanswered_calls = False
            proposal = self.env["cobranza.call"]._cobranza_propose_next_call(self.customer, "no_answer")
            self.assertEqual(proposal, datetime(2026, 3, 16, 11, 0), "Monday 08:00 Santiago")
            with self.assertRaisesRegex(UserError, "not allowed now"):
                self._record(
                    contact_result="debtor", outcome="call_back", next_call=datetime(2026, 3, 16, 1, 0)
                )  # Sunday 22:00

    def test_bad_call_input(self):
        with freeze_time(MONDAY):
            for values, message in [
                ({"date_start": datetime(2030, 1, 7, 14, 0)}, "future"),
                ({"duration": -3.0}, "duration"),
                ({"duration": float("nan")}, "duration"),
                ({"duration": float("inf")}, "duration"),
            ]:
                with self.subTest(values=values), self.assertRaisesRegex(UserError, message):
                    self._record(**values)
            self.assertFalse(self._contacts())
            call = self._record(contact_result="debtor", outcome="already_paid", note="<b>pagó\x00</b>")
            self.assertEqual(call.note, "<b>pagó</b>")
            todo = self.env["mail.activity"].search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", self.customer.id),
                    ("cobranza_is_call", "=", False),
                ]
            )
            self.assertIn("&lt;b&gt;", str(todo.note), "a typed note is shown escaped")

    def test_activity_and_collector_are_checked(self):
        other_customer_activity = self._activity(partner=self.customer_b)
        another_collectors = self._activity(user=self.other_collector)
        with freeze_time(MONDAY):
            with self.assertRaisesRegex(UserError, "not a collection call of"):
                self._record(activity_id=other_customer_activity)
            with self.assertRaisesRegex(UserError, "another collector"):
                self._record(activity_id=another_collectors)
            with self.assertRaisesRegex(UserError, "Only a collection manager"):
                self._record(user_id=self.other_collector)
            self.assertTrue(other_customer_activity.exists() and another_collectors.exists())
            call = self._record(user=self.manager, user_id=self.collector, activity_id=another_collectors)
            self.assertRecordValues(call, [{"user_id": self.collector.id, "recorded_by_id": self.manager.id}])
            self.assertFalse(another_collectors.exists())

    def test_forged_writes_refused(self):
        activity = self._activity()
        with freeze_time(SUNDAY):
            with self.assertRaises(AccessError):
                activity.with_user(self.collector).write(
                    {
                        "cobranza_override_date": date(2026, 3, 15),
                        "cobranza_override_user_id": self.manager.id,
                    }
                )
            with self.assertRaises(AccessError):
                activity.with_user(self.collector).write({"cobranza_queue_state": "today"})
        with freeze_time(MONDAY):
            Call = self.env["cobranza.call"].with_user(self.collector)
            with self.assertRaises(AccessError):
                Call.create(
                    {"partner_id": self.customer.id, "contact_result": "debtor", "user_id": self.manager.id}
                )
            Contact = self.env["cobranza.contact"].with_user(self.manager)
            with self.assertRaises(AccessError):
                Contact.create(
                    {"partner_id": self.customer.id, "channel": "call", "date": datetime(2027, 1, 1)}
                )
            self._record()
            contact = self._contacts()
            for user in (self.collector, self.manager):
                with self.subTest(user=user.login):
                    with self.assertRaises(AccessError):
                        contact.with_user(user).write({"date": datetime(2030, 1, 1)})
                    with self.assertRaises(UserError):  # AccessError or the retention UserError
                        contact.with_user(user).unlink()
            self.assertEqual(contact.date, MONDAY)

    def test_call_screen_is_its_users(self):
        with freeze_time(MONDAY):
            wizard = (
                self.env["cobranza.call.wizard"]
                .with_user(self.collector)
                .create({"partner_id": self.customer.id})
            )
            for user in (self.other_collector, self.manager):
                with self.subTest(user=user.login), self.assertRaises(AccessError):
                    wizard.with_user(user).read(["note"])
            self.assertEqual(wizard.read(["partner_id"])[0]["partner_id"][0], self.customer.id)


@tagged("post_install", "-at_install")
class TestPromiseForgery(CobranzaCommon):
    """A promise's state, amounts collected and decision dates change only through its evaluation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.invoice = cls._invoice(cls.customer, 100000, date(2026, 2, 14))

    def _promise(self):
        return (
            self.env["cobranza.promise"]
            .with_user(self.collector)
            .create(
                {
                    "partner_id": self.customer.id,
                    "date": date(2026, 3, 20),
                    "line_ids": [Command.create({"move_id": self.invoice.id, "amount": 40000})],
                }
            )
        )

    @freeze_time(MONDAY)
    def test_decided_fields_refused(self):
        promise = self._promise().with_user(self.collector)
        for vals in ({"state": "kept"}, {"amount_paid": 40000}, {"date_decided": date(2026, 3, 16)}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                promise.write(vals)
        with self.assertRaises(AccessError):
            self.env["cobranza.promise"].with_user(self.collector).create(
                {
                    "partner_id": self.customer.id,
                    "date": date(2026, 3, 20),
                    "state": "kept",
                    "line_ids": [Command.create({"move_id": self.invoice.id, "amount": 1000})],
                }
            )
        self.assertRecordValues(promise, [{"state": "open", "amount_paid": 0.0, "date_decided": False}])
        with self.assertRaises(ValidationError):
            promise.line_ids.unlink()  # an open promise of nothing
        self.assertEqual(promise.amount, 40000)
        promise.action_cancel()  # the one way a user decides a promise
        self.assertEqual(promise.state, "cancelled")
        with self.assertRaises(UserError):
            promise.line_ids.write({"amount": 1000})
        with self.assertRaises(UserError):
            promise.line_ids.unlink()

    def test_reminder_through_the_gate(self):
        """A reminder the gate forbids (Sunday) is queued and goes out at the next allowed moment,
        logged as a contact."""
        self.customer.email = "pagos@robles.cl"
        with freeze_time(MONDAY):
            promise = self._promise()  # reminder on the 19th
        with freeze_time(datetime(2026, 3, 19, 3, 30)):  # Thursday 00:30 in Santiago
            self.env["cobranza.promise"]._cron_cobranza_check_promises()
            self.assertTrue(promise.reminder_sent)
            queued = self.env["cobranza.contact.queue"].search([("partner_id", "=", self.customer.id)])
            self.assertRecordValues(queued, [{"state": "queued", "send_after": datetime(2026, 3, 19, 11, 0)}])
            self.assertFalse(self.env["cobranza.contact"].search([("partner_id", "=", self.customer.id)]))
            self.env["cobranza.contact.queue"]._cron_cobranza_deliver()
            self.assertEqual(queued.state, "queued", "not before 08:00")
        with freeze_time(datetime(2026, 3, 19, 11, 5)):
            self.env["cobranza.contact.queue"]._cron_cobranza_deliver()
        self.assertEqual(queued.state, "sent")
        contact = self.env["cobranza.contact"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(contact, [{"channel": "email", "date": datetime(2026, 3, 19, 11, 5)}])
        message = promise.message_ids.filtered(lambda m: m.subject and "Recordatorio" in m.subject)
        self.assertEqual(len(message), 1)
