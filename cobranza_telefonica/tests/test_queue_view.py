from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CobranzaCommon

NOW = datetime(2026, 3, 16, 14, 0)  # Monday 11:00 in Santiago (UTC-3)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestQueueView(CobranzaCommon):
    """What the collector's queue shows besides its figures: rank, phone, last call, promise;
    and a manager reassigning calls."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.customer_c = cls._create_cl_partner(
            "Comercial Quilpué Ltda.", "76086428-5", mobile="+56 9 8765 4321"
        )
        cls._invoice(cls.customer, 100000, date(2026, 2, 14))  # 30 days overdue
        cls._invoice(cls.customer_b, 300000, date(2026, 2, 14))  # 30 days, three times as much
        cls._invoice(cls.customer_c, 100000, date(2026, 3, 6))  # 10 days overdue
        cls.other_collector = cls._create_user(
            "test_other_collector", "cobranza_telefonica.group_cobranza_collector"
        )
        cls.manager.groups_id += cls.env.ref("base.group_partner_manager")

    def _call(self, partner, user, deadline=None):
        return partner.activity_schedule(
            "cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=deadline or date(2026, 3, 16),
            user_id=user.id,
        )

    def _queue(self, user):
        Activity = self.env["mail.activity"].with_user(user)
        action = Activity.action_cobranza_my_calls()
        return Activity.search(action["domain"], order="cobranza_priority desc, date_deadline, id"), action

    def test_rank_phone_and_order(self):
        """Each collector's calls of the day are ranked from 1 by priority (amount overdue x days);
        a call planned for later is not ranked; the phone is the mobile, else the landline."""
        call_a = self._call(self.customer, self.collector)
        call_b = self._call(self.customer_b, self.collector)
        call_c = self._call(self.customer_c, self.collector)
        later = self._call(self.customer_c, self.other_collector, deadline=date(2026, 3, 20))
        other = self._call(self.customer, self.other_collector)
        queue, _action = self._queue(self.collector)
        self.assertEqual(queue, call_b | call_a | call_c)
        # Priority: what may be asked for times days overdue (300,000 x 30 > 100,000 x 30 > 100,000 x 10).
        self.assertGreater(call_b.cobranza_priority, call_a.cobranza_priority)
        self.assertGreater(call_a.cobranza_priority, call_c.cobranza_priority)
        self.assertEqual([act.cobranza_rank for act in queue], [1, 2, 3])
        self.assertEqual((other.cobranza_rank, later.cobranza_rank), (1, 0))
        self.assertEqual(call_a.cobranza_phone, "+56 2 2345 6789")
        self.assertEqual(call_c.cobranza_phone, "+56 9 8765 4321")

    def test_last_call_and_promise(self):
        """The last call's result (its outcome when the debtor was reached) and the customer's
        promise, for the company of the call."""
        # Two calls this week: this company allows it (the weekly limit has tests of its own).
        self.env["cobranza.guardrail"].search([("company_id", "=", self.company.id)]).max_calls_per_week = 0
        activity = self._call(self.customer, self.collector)
        self.assertFalse(activity.cobranza_last_result)
        self.assertFalse(activity.cobranza_promise_state)
        Call = self.env["cobranza.call"].with_user(self.collector)
        Call._cobranza_record(
            {
                "partner_id": self.customer,
                "contact_result": "no_answer",
                "date_start": datetime(2026, 3, 13, 14, 0),
            }
        )
        activity.invalidate_recordset(["cobranza_last_result"])
        self.assertEqual(activity.cobranza_last_result, "No answer")
        invoice = self.env["account.move"].search([("partner_id", "=", self.customer.id)])
        Call._cobranza_record(
            {
                "partner_id": self.customer,
                "contact_result": "debtor",
                "outcome": "promise",
                "receptivity": "4",
                "promise_amount": 50000,
                "promise_date": date(2026, 3, 20),
                "promise_move_ids": invoice,
                "date_start": datetime(2026, 3, 16, 13, 50),
            }
        )
        # The activity of today and the retry the unanswered call scheduled (read afresh, as a
        # new request of the web client would).
        self.env.invalidate_all()
        activities = self.env["mail.activity"].search(
            [
                ("cobranza_is_call", "=", True),
                ("res_id", "=", self.customer.id),
                ("user_id", "=", self.collector.id),
            ]
        )
        self.assertEqual(len(activities), 2)
        self.assertEqual(set(activities.mapped("cobranza_last_result")), {"Promise to pay"})
        self.assertEqual(set(activities.mapped("cobranza_promise_state")), {"open"})
        other_company_call = self._call(self.customer, self.collector)
        other_company_call.sudo().cobranza_company_id = self.setup_other_company()["company"]
        self.assertFalse(other_company_call.cobranza_last_result)
        self.assertFalse(other_company_call.cobranza_promise_state)

    def test_manager_sees_queue_by_collector_and_reassigns(self):
        call_a = self._call(self.customer, self.collector)
        call_b = self._call(self.customer_b, self.other_collector)
        queue, action = self._queue(self.manager)
        self.assertEqual(queue, call_b | call_a)
        self.assertEqual(action["context"].get("search_default_group_user"), 1)
        _queue, action = self._queue(self.collector)
        self.assertNotIn("search_default_group_user", str(action["context"]))

        wizard = (
            self.env["cobranza.call.reassign"]
            .with_user(self.manager)
            .create(
                {"activity_ids": [Command.set((call_a | call_b).ids)], "user_id": self.other_collector.id}
            )
        )
        wizard.action_confirm()
        self.assertEqual((call_a | call_b).user_id, self.other_collector)
        self.assertIn("test_other_collector", self.customer.message_ids[0].body)
        self.assertEqual((call_a.cobranza_rank, call_b.cobranza_rank), (2, 1))

    def test_reassign_refused(self):
        """A collector cannot reassign, a call cannot go to someone who does not collect, nor to a
        collector of another company; nothing changes."""
        call = self._call(self.customer, self.collector)
        with self.assertRaises(AccessError):
            self.env["cobranza.call.reassign"].with_user(self.collector).create(
                {"activity_ids": [Command.set(call.ids)], "user_id": self.other_collector.id}
            )
        with self.assertRaisesRegex(UserError, "Only a collection manager"):
            call.with_user(self.collector)._cobranza_reassign(self.other_collector)
        with self.assertRaisesRegex(UserError, "is not a collector"):
            call.with_user(self.manager)._cobranza_reassign(self.plain_user)
        stranger = self._create_user(
            "test_collector_b",
            "cobranza_telefonica.group_cobranza_collector",
            company=self.setup_other_company()["company"],
        )
        with self.assertRaisesRegex(UserError, "does not work in"):
            call.with_user(self.manager)._cobranza_reassign(stranger)
        self.assertEqual(call.user_id, self.collector)
        todo = self.customer.activity_schedule("mail.mail_activity_data_todo", user_id=self.collector.id)
        with self.assertRaisesRegex(UserError, "Choose collection calls"):
            todo.with_user(self.manager)._cobranza_reassign(self.other_collector)

    def test_blocked_call_says_why(self):
        """On a Sunday the call is blocked: the queue's button says why and when it may be made;
        once allowed, the same button opens the call screen."""
        activity = self._call(self.customer, self.collector, deadline=date(2026, 3, 13))
        with freeze_time("2026-03-15 14:00:00"):  # Sunday 11:00 in Santiago
            self.env["mail.activity"].with_user(self.collector).action_cobranza_my_calls()
            self.assertEqual(activity.cobranza_queue_state, "blocked")
            action = activity.with_user(self.collector).action_cobranza_blocked_info()
            self.assertEqual((action["tag"], action["params"]["type"]), ("display_notification", "warning"))
            self.assertIn(self.customer.name, action["params"]["title"])
            self.assertEqual(
                action["params"]["message"],
                activity._cobranza_call_block(self.customer),
            )
            self.assertTrue(action["params"]["message"])
        action = activity.with_user(self.collector).action_cobranza_blocked_info()
        self.assertEqual(action["res_model"], "cobranza.call.wizard")
