from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CobranzaCommon

NOW = datetime(2026, 3, 16, 14, 0)  # Monday 11:00 in Santiago (UTC-3)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestCobranzaCall(CobranzaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.inv_old = cls._invoice(cls.customer, 100000, date(2026, 2, 14))  # 30 days overdue
        cls.inv_new = cls._invoice(cls.customer, 50000, date(2026, 4, 15))  # not yet due
        cls.call_type = cls.env.ref("cobranza_telefonica.mail_activity_type_cobranza_call")
        # Reading another user's activity on a customer needs write access on customers, which
        # every internal user has by default (Contact Creation).
        cls.manager.groups_id += cls.env.ref("base.group_partner_manager")

    def setUp(self):
        super().setUp()
        self.activity = self._call_activity(self.customer, self.collector)

    def _call_activity(self, partner, user, deadline=None):
        return partner.activity_schedule(
            "cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=deadline or self.TODAY,
            user_id=user.id,
        )

    def _open(self, activity=None, user=None):
        """The call screen as opened from the activity by ``user`` (the collector)."""
        activity = (activity or self.activity).with_user(user or self.collector)
        action = activity.action_cobranza_start_call()
        self.assertEqual(action["res_model"], "cobranza.call.wizard")
        return Form(
            self.env["cobranza.call.wizard"]
            .with_user(user or self.collector)
            .with_context(**action["context"])
        )

    def _calls(self):
        return self.env["cobranza.call"].search([("partner_id", "=", self.customer.id)])

    def _next_calls(self, partner=None):
        return self.env["mail.activity"].search(
            [("cobranza_is_call", "=", True), ("cobranza_partner_id", "=", (partner or self.customer).id)]
        )

    # ------------------------------------------------------------------ outcomes

    def test_promise(self):
        form = self._open()
        self.assertEqual(form.script_id, self.env.ref("cobranza_telefonica.script_overdue"))
        self.assertEqual(len(form.line_ids), 8)
        self.assertIn("100,000", form.context_html)
        self.assertIn("tel:+56 2 2345 6789", form.context_html)
        state_line = form.line_ids._records[2]
        self.assertIn("30 días de atraso", state_line["text_html"])
        greeting = form.line_ids._records[0]["text_html"]
        self.assertIn(
            "¿Me comunico con the person in charge of payments? Lo llamo por la cuenta de Ferretería",
            greeting,
        )
        for index in (0, 1, 2):
            with form.line_ids.edit(index) as line:
                line.done = True
        form.contact_result = "debtor"
        form.outcome = "promise"
        form.receptivity = "4"
        form.duration = 6.5
        form.promise_amount = 80000
        form.promise_date = date(2026, 3, 31)
        form.note = "Paga el martes"
        wizard = form.save()
        wizard.action_confirm()

        call = self._calls()
        self.assertEqual(len(call), 1)
        contacts = self.env["cobranza.contact"].search([("partner_id", "=", self.customer.id)])
        # The call, and the e-mail asking the debtor to rate it (test_rating.py).
        self.assertEqual(sorted(contacts.mapped("channel")), ["call", "email"])
        contact = contacts.filtered(lambda c: c.channel == "call")
        self.assertEqual((contact.channel, contact.date, contact.user_id), ("call", NOW, self.collector))
        self.assertRecordValues(
            call,
            [
                {
                    "user_id": self.collector.id,
                    "contact_result": "debtor",
                    "outcome": "promise",
                    "receptivity": "4",
                    "duration": 6.5,
                    "note": "Paga el martes",
                    "script_id": self.env.ref("cobranza_telefonica.script_overdue").id,
                    "company_id": self.company.id,
                    "next_call": False,
                }
            ],
        )
        self.assertEqual(call.move_ids, self.inv_old | self.inv_new)
        self.assertEqual(len(call.step_ids), 3)
        promise = call.promise_ids
        self.assertRecordValues(
            promise,
            [
                {
                    "partner_id": self.customer.id,
                    "user_id": self.collector.id,
                    "date": date(2026, 3, 31),
                    "amount": 80000,
                    "channel": "call",
                    "state": "open",
                    "call_id": call.id,
                }
            ],
        )
        self.assertRecordValues(promise.line_ids, [{"move_id": self.inv_old.id, "amount": 80000}])
        self.assertFalse(self.activity.exists(), "the activity is done")
        self.assertFalse(self._next_calls())
        done = self.customer.message_ids.filtered(lambda m: m.mail_activity_type_id == self.call_type)
        self.assertIn("Paga el martes", done[:1].body)
        for record in (self.customer, self.inv_old, self.inv_new):
            bodies = " ".join(record.message_ids.mapped("body"))
            self.assertIn("Collection call", bodies, record.display_name)
            self.assertIn("80,000", bodies.replace(".", ","), record.display_name)

    def test_payment_plan(self):
        form = self._open()
        form.contact_result = "debtor"
        form.outcome = "payment_plan"
        form.promise_amount = 120000
        form.promise_date = date(2026, 3, 20)
        form.plan_instalments = 3
        form.plan_interval_days = 20
        form.save().action_confirm()
        promises = self._calls().promise_ids.sorted("date")
        self.assertEqual(promises.mapped("date"), [date(2026, 3, 20), date(2026, 4, 9), date(2026, 4, 29)])
        self.assertEqual(promises.mapped("amount"), [40000, 40000, 40000])
        self.assertEqual(
            [
                (line.move_id, line.amount)
                for line in promises.line_ids.sorted(lambda x: (x.promise_id.date, x.id))
            ],
            [(self.inv_old, 40000), (self.inv_old, 40000), (self.inv_old, 20000), (self.inv_new, 20000)],
        )

    def test_dispute(self):
        form = self._open()
        form.contact_result = "debtor"
        form.outcome = "dispute"
        form.dispute_reason = "Mercadería llegó dañada"
        form.dispute_move_ids.add(self.inv_old)
        form.save().action_confirm()
        self.assertTrue(self.inv_old.cobranza_dispute)
        self.assertEqual(self.inv_old.cobranza_dispute_reason, "Mercadería llegó dañada")
        self.assertFalse(self.inv_new.cobranza_dispute)
        self.assertEqual(self.inv_old._cobranza_exclusion_reasons(), {self.inv_old.id: "dispute"})
        self.assertEqual(self._calls().dispute_reason, "Mercadería llegó dañada")
        self.assertFalse(self._calls().promise_ids)

    def test_call_back(self):
        form = self._open()
        form.contact_result = "debtor"
        form.outcome = "call_back"
        form.next_call = datetime(2026, 3, 18, 19, 30)  # 16:30 in Santiago
        form.save().action_confirm()
        self.assertFalse(self.activity.exists())
        next_call = self._next_calls()
        self.assertRecordValues(
            next_call,
            [
                {
                    "date_deadline": date(2026, 3, 18),
                    "cobranza_call_at": datetime(2026, 3, 18, 19, 30),
                    "user_id": self.collector.id,
                    "res_model": "res.partner",
                    "res_id": self.customer.id,
                }
            ],
        )
        self.assertEqual(self._calls().next_call, datetime(2026, 3, 18, 19, 30))

    def test_screen_asks_who_answered_and_times_the_call(self):
        """No contact result is assumed; a call nobody answered keeps no receptivity (whatever
        is sent); left empty, the duration is the minutes since the screen opened; the greeting
        follows the local hour (11:00 in Santiago: morning)."""
        form = self._open()
        self.assertFalse(form.contact_result)
        self.assertFalse(form.receptivity)
        self.assertRegex(form.line_ids._records[0]["text_html"], r"^(Good morning|Buenos días), le habla")
        form.contact_result = "no_answer"
        wizard = form.save()
        wizard.receptivity = "3"  # as an RPC could send it
        with freeze_time("2026-03-16 14:06:30"):
            wizard.action_confirm()
        call = self._calls()
        self.assertEqual((call.contact_result, call.receptivity, call.duration), ("no_answer", False, 6.5))
        with freeze_time("2026-03-16 21:30:00"):  # 18:30 in Santiago
            self.assertIn(
                self.customer._cobranza_script_values(company=self.company)["greeting"],
                ("Good afternoon", "Buenas tardes"),
            )

    def test_call_logged_hours_later_is_not_timed(self):
        """A call recorded long after its start (logged afterwards) gets no invented duration."""
        values = {
            "partner_id": self.customer,
            "contact_result": "debtor",
            "outcome": "call_back",
            "next_call": datetime(2026, 3, 17, 14, 0),
            "receptivity": "4",
            "date_start": datetime(2026, 3, 16, 11, 0),
        }
        call = self.env["cobranza.call"].with_user(self.collector)._cobranza_record(values)
        self.assertEqual((call.duration, call.receptivity), (0.0, "4"))

    def test_no_answer_retries_tomorrow(self):
        form = self._open()
        form.contact_result = "no_answer"
        # The gate counts this attempt: the next call falls a week later (weekly limit of one).
        self.assertEqual(form.next_call, datetime(2026, 3, 23, 14, 0))
        form.save().action_confirm()
        self.assertEqual(self._next_calls().date_deadline, date(2026, 3, 23))
        self.assertFalse(self._calls().outcome)

    def test_third_party_cannot_promise(self):
        form = self._open()
        form.contact_result = "third_party"
        form.outcome = "promise"
        form.promise_amount = 1000
        form.promise_date = date(2026, 3, 31)
        form.save().action_confirm()
        call = self._calls()
        self.assertFalse(call.outcome)
        self.assertFalse(call.promise_ids)
        self.assertEqual(self._next_calls().date_deadline, date(2026, 3, 23))

    def test_already_paid(self):
        form = self._open()
        form.contact_result = "debtor"
        form.outcome = "already_paid"
        form.note = "Transfirió el viernes"
        form.save().action_confirm()
        check = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("activity_type_id", "=", self.env.ref("mail.mail_activity_data_todo").id),
            ]
        )
        self.assertEqual(len(check), 1)
        self.assertEqual(check.user_id, self.collector)
        self.assertEqual(check.date_deadline, self.TODAY)
        self.assertEqual(check.summary, "Check the payment the customer says was made")
        self.assertFalse(self._next_calls())

    def test_wrong_number_only_phone(self):
        form = self._open()
        form.contact_result = "wrong_number"
        form.save().action_confirm()
        self.assertTrue(self.customer.cobranza_wrong_number)
        self.assertIn(
            "Wrong number",
            self.customer.message_ids[:3].mapped("body")[-1] + str(self.customer.message_ids.mapped("body")),
        )
        self.assertFalse(self._next_calls(), "no next call on a wrong only phone")
        self.customer.phone = "+56 9 8765 4321"
        self.assertFalse(self.customer.cobranza_wrong_number)

    def test_wrong_number_other_phone(self):
        self.env["res.partner"].create(
            {"name": "Marta Tesorería", "parent_id": self.customer.id, "mobile": "+56 9 1111 2222"}
        )
        form = self._open()
        self.assertIn("tel:+56 9 1111 2222", form.context_html)
        form.contact_result = "wrong_number"
        form.save().action_confirm()
        self.assertFalse(self.customer.cobranza_wrong_number)
        self.assertEqual(self._next_calls().date_deadline, date(2026, 3, 23))

    def test_start_from_invoice_and_customer(self):
        action = self.inv_old.with_user(self.collector).action_cobranza_start_call()
        self.assertEqual(action["context"]["default_activity_id"], self.activity.id)
        self.assertEqual(action["context"]["default_move_ids"], self.inv_old.ids)
        form = Form(
            self.env["cobranza.call.wizard"].with_user(self.collector).with_context(**action["context"])
        )
        self.assertEqual(form.move_ids[:], self.inv_old)
        action = self.customer_b.with_user(self.collector).action_cobranza_start_call()
        self.assertFalse(action["context"]["default_activity_id"])

    # ------------------------------------------------------------------ bad input

    def _assert_refused(self, form, message):
        wizard = form.save()
        with self.assertRaisesRegex(UserError, message):
            wizard.action_confirm()
        self.assertFalse(self._calls(), "nothing saved")
        self.assertTrue(self.activity.exists(), "the activity stays open")
        self.assertFalse(self.env["cobranza.promise"].search([("partner_id", "=", self.customer.id)]))

    def test_promise_without_amount_or_date(self):
        form = self._open()
        form.contact_result = "debtor"
        form.outcome = "promise"
        form.promise_date = date(2026, 3, 31)
        self._assert_refused(form, "amount greater than zero")
        form.promise_amount = 1000
        form.promise_date = False
        self._assert_refused(form, "needs the date")

    def test_promise_out_of_bounds(self):
        form = self._open()
        form.contact_result = "debtor"
        form.outcome = "promise"
        form.promise_amount = 150001
        form.promise_date = date(2026, 3, 31)
        self._assert_refused(form, "more than what the invoices owe")
        form.promise_amount = 1000
        form.promise_date = date(2026, 3, 15)
        self._assert_refused(form, "cannot be in the past")
        form.promise_date = date(2026, 5, 16)
        self._assert_refused(form, "within 60 days")

    def test_callback_in_the_past(self):
        form = self._open()
        form.contact_result = "debtor"
        form.outcome = "call_back"
        form.next_call = datetime(2026, 3, 16, 13, 0)
        self._assert_refused(form, "must be in the future")

    def test_dispute_needs_reason(self):
        form = self._open()
        form.contact_result = "debtor"
        form.outcome = "dispute"
        form.dispute_move_ids.add(self.inv_old)
        self._assert_refused(form, "reason of the dispute")
        self.assertFalse(self.inv_old.cobranza_dispute)

    def test_customer_of_another_company(self):
        other = self.setup_other_company()["company"]
        self.customer.company_id = other
        self.collector.company_ids = [Command.link(other.id)]
        form = Form(
            self.env["cobranza.call.wizard"]
            .with_user(self.collector)
            .with_context(
                default_partner_id=self.customer.id, allowed_company_ids=[self.company.id, other.id]
            )
        )
        form.contact_result = "no_answer"
        wizard = form.save()
        with self.assertRaisesRegex(UserError, "belongs to the company"):
            wizard.action_confirm()
        self.assertFalse(self.env["cobranza.call"].sudo().search([("partner_id", "=", self.customer.id)]))

    def test_spanish_error(self):
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        self.collector.lang = "es_419"
        form = self._open()
        form.contact_result = "debtor"
        form.outcome = "call_back"
        self.assertTrue(form.next_call, "a call back proposes tomorrow")
        form.next_call = False
        wizard = form.save()
        # The web client sends the user's language in the context.
        with self.assertRaisesRegex(UserError, "El cliente pidió que lo vuelvan a llamar: indique cuándo."):
            wizard.with_context(lang="es_419").action_confirm()

    # ------------------------------------------------------------------ access

    def test_access(self):
        with self.assertRaises(AccessError):
            self.env["cobranza.call"].with_user(self.plain_user).create(
                {"partner_id": self.customer.id, "contact_result": "busy"}
            )
        with self.assertRaises(AccessError):
            self.env["cobranza.call.wizard"].with_user(self.plain_user).create(
                {"partner_id": self.customer.id}
            )
        with self.assertRaises(AccessError):
            self.env.ref("cobranza_telefonica.script_overdue").with_user(self.collector).name = "x"
        with self.assertRaises(AccessError):
            self.env["cobranza.call"].with_user(self.plain_user).search([])
        self.env.ref("cobranza_telefonica.script_overdue").with_user(self.manager).name = "Vencida B2B"

    # ------------------------------------------------------------------ scripts

    def test_script_placeholder_check_and_preview(self):
        script = self.env.ref("cobranza_telefonica.script_overdue").with_user(self.manager)
        script.preview_partner_id = self.customer
        html = str(script.preview_html)
        self.assertIn("Ferretería Los Robles SpA", html)
        self.assertIn("150,000", html)  # total due
        self.assertIn("100,000", html)  # overdue
        self.assertIn(f"/my/invoices/{self.inv_old.id}?access_token=", html)
        self.assertIn(f"{self.inv_old.cobranza_dte_label}:", html)
        with self.assertRaisesRegex(ValidationError, r"\{monto\}"):
            script.step_ids[0].text = "Debe {monto}"

    def test_script_of_the_level_reached_wins(self):
        late_script = self.env.ref("cobranza_telefonica.script_late")
        level = self.env["cobranza.level"].search(
            [("company_id", "=", self.company.id), ("day_offset", "=", 30)], limit=1
        )
        self.assertTrue(level, "the company has its default follow-up levels")
        self.assertEqual(self._open().script_id, self.env.ref("cobranza_telefonica.script_overdue"))
        level.script_id = late_script
        self.inv_old.sudo().cobranza_level_id = level
        self.assertEqual(self._open().script_id, late_script)

    def test_script_choice_by_days_and_segment(self):
        Script = self.env["cobranza.script"]
        self.assertEqual(
            Script._cobranza_find(-5, "company", self.company),
            self.env.ref("cobranza_telefonica.script_preventive"),
        )
        self.assertEqual(
            Script._cobranza_find(0, "company", self.company), self.env.ref("cobranza_telefonica.script_due")
        )
        self.assertEqual(
            Script._cobranza_find(59, "company", self.company),
            self.env.ref("cobranza_telefonica.script_overdue"),
        )
        self.assertEqual(
            Script._cobranza_find(60, "company", self.company),
            self.env.ref("cobranza_telefonica.script_late"),
        )
        person = Script.create(
            {"name": "Persona", "days_min": 1, "days_max": 59, "debtor_type": "person", "sequence": 99}
        )
        self.assertEqual(Script._cobranza_find(10, "person", self.company), person)
        self.assertEqual(
            Script._cobranza_find(10, "company", self.company),
            self.env.ref("cobranza_telefonica.script_overdue"),
        )

    # ------------------------------------------------------------------ queue

    def test_queue_priority_and_scope(self):
        inv_b = self._invoice(self.customer_b, 40000, date(2026, 1, 15))  # 60 days overdue
        activity_b = self._call_activity(self.customer_b, self.collector, date(2026, 3, 13))
        other_user_activity = self._call_activity(self.customer_b, self.manager)
        future = self._call_activity(self.customer, self.collector, date(2026, 3, 20))
        action = self.env["mail.activity"].with_user(self.collector).action_cobranza_my_calls()
        queue = (
            self.env["mail.activity"]
            .with_user(self.collector)
            .search(action["domain"], order="cobranza_priority desc")
        )
        self.assertEqual(queue.ids, [self.activity.id, activity_b.id])
        self.assertRecordValues(
            queue,
            [
                {
                    "cobranza_amount_overdue": 100000,
                    "cobranza_days_overdue": 30,
                    "cobranza_priority": 3000000,
                    "cobranza_queue_state": "today",
                },
                {
                    "cobranza_amount_overdue": 40000,
                    "cobranza_days_overdue": 60,
                    "cobranza_priority": 2400000,
                    "cobranza_queue_state": "overdue",
                },
            ],
        )
        self.assertEqual(queue[0].cobranza_amount_due, 150000)
        self.assertNotIn(future, queue)
        action = self.env["mail.activity"].with_user(self.manager).action_cobranza_my_calls()
        self.assertIn(
            other_user_activity, self.env["mail.activity"].with_user(self.manager).search(action["domain"])
        )
        self.assertTrue(inv_b)

    def test_objections_reach_the_call_screen(self):
        """The call screen lists the company's objections (and the shared ones) when it opens."""
        expected = self.env["cobranza.objection"].search([("company_id", "in", [False, self.company.id])])
        self.assertGreaterEqual(len(expected), 5)
        form = self._open()
        self.assertEqual(len(form.objection_ids), len(expected))
        self.assertEqual({form.objection_ids[i].id for i in range(len(expected))}, set(expected.ids))

    def test_objection_proposes_its_outcome(self):
        """Picking the objection the customer raised shows its suggested answer and proposes its
        usual outcome (someone answered); the collector may still change it, and the call records
        what is finally chosen."""
        plan = self.env.ref("cobranza_telefonica.objection_3")
        later = self.env.ref("cobranza_telefonica.objection_5")
        form = self._open()
        self.assertFalse(form.contact_result)
        form.objection_id = plan
        self.assertEqual(form.contact_result, "debtor")
        self.assertEqual(form.outcome, "payment_plan")
        self.assertEqual(form.objection_answer, plan.answer)
        self.assertIn("plan de pago en cuotas", form.objection_answer)
        form.objection_id = later
        self.assertEqual(form.outcome, "call_back")
        self.assertEqual(form.objection_answer, later.answer)
        self.assertTrue(form.next_call, "a call back proposes the next call")
        form.save().action_confirm()
        self.assertRecordValues(self._calls(), [{"contact_result": "debtor", "outcome": "call_back"}])

    def test_objection_keeps_third_party_and_an_outcome_it_does_not_map(self):
        paid = self.env.ref("cobranza_telefonica.objection_2")
        unmapped = self.env["cobranza.objection"].create(
            {"name": "Hable con mi contador", "answer": "¿Me da su número?", "company_id": self.company.id}
        )
        form = self._open()
        form.contact_result = "third_party"
        form.objection_id = paid
        self.assertEqual(form.contact_result, "third_party")
        self.assertEqual(form.outcome, "already_paid")
        form.objection_id = unmapped
        self.assertEqual(form.outcome, "already_paid")
        self.assertEqual(form.objection_answer, "¿Me da su número?")

    def _updates_of_refresh(self, activities):
        """The UPDATE statements on mail_activity that refreshing ``activities`` runs."""
        self.env.flush_all()
        statements = []
        execute = self.env.cr.execute

        def spy(query, params=None, log_exceptions=True):
            code = getattr(query, "code", query)
            if str(code).lstrip().upper().startswith("UPDATE") and "mail_activity" in str(code):
                statements.append(code)
            return execute(query, params, log_exceptions)

        with patch.object(self.env.cr, "execute", spy):
            activities._cobranza_refresh_queue()
            self.env.flush_all()
        return statements

    def test_queue_refresh_writes_only_what_changed(self):
        """Refreshing many calls writes them in one UPDATE; refreshing again with nothing changed
        writes nothing (opening the queue never locks a call a collector is saving); a payment
        changes the customer's figures and only that call is written again."""
        inv_b = self._invoice(self.customer_b, 40000, date(2026, 1, 15))  # 60 days overdue
        calls = self.activity | self._call_activity(self.customer_b, self.collector, date(2026, 3, 13))
        self.assertEqual(len(self._updates_of_refresh(calls)), 1)
        self.assertRecordValues(
            calls,
            [
                {
                    "cobranza_amount_overdue": 100000,
                    "cobranza_priority": 3000000,
                    "cobranza_queue_state": "today",
                },
                {
                    "cobranza_amount_overdue": 40000,
                    "cobranza_priority": 2400000,
                    "cobranza_queue_state": "overdue",
                },
            ],
        )
        self.assertEqual(self._updates_of_refresh(calls), [])
        self._pay(inv_b, 10000, self.TODAY)
        written = []
        write = type(self.env["mail.activity"])._cobranza_write_queue_rows

        def spy_rows(model, rows):
            written.extend(row[0] for row in rows)
            return write(model, rows)

        with patch.object(type(self.env["mail.activity"]), "_cobranza_write_queue_rows", spy_rows):
            calls._cobranza_refresh_queue()
        self.assertEqual(written, calls[1].ids)
        self.assertEqual(calls[1].cobranza_amount_overdue, 30000)
        self.assertEqual(calls[1].cobranza_amount_due, 30000)

    def test_blocked_and_override(self):
        with freeze_time(datetime(2026, 3, 15, 14, 0)):  # Sunday
            self.activity._cobranza_refresh_queue()
            self.assertEqual(self.activity.cobranza_queue_state, "blocked")
            self.assertEqual(
                self.activity.cobranza_blocked_reason, "Contacts are not allowed on this day of the week"
            )
            self.assertEqual(
                self.activity.cobranza_next_allowed, datetime(2026, 3, 16, 11, 0)
            )  # Monday 08:00
            with self.assertRaisesRegex(UserError, "not allowed now"):
                self.activity.with_user(self.collector).action_cobranza_start_call()
            with self.assertRaisesRegex(UserError, "Only a collection manager"):
                self.activity.with_user(self.collector)._cobranza_override("Urgente")
            # A manager never lifts the days and hours (Ley 21.320), only the weekly limit.
            with self.assertRaisesRegex(UserError, "never the allowed days and hours"):
                self.activity.with_user(self.manager)._cobranza_override("Urgente")
            self.assertFalse(self.activity.cobranza_override_user_id)
        with freeze_time(NOW):  # Monday 11:00: the customer was called on Saturday
            self.customer_b.with_company(self.company)._cobranza_log_contact(
                "call", when=datetime(2026, 3, 14, 14, 0)
            )
            weekly = self._call_activity(self.customer_b, self.collector)
            block = weekly._cobranza_blocked_reason()[weekly.id]
            self.assertEqual(block["code"], "calls_week")
            with self.assertRaisesRegex(UserError, "weekly limit"):
                weekly.with_user(self.collector).action_cobranza_start_call()
            override = Form(
                self.env["cobranza.call.override"]
                .with_user(self.manager)
                .with_context(default_activity_id=weekly.id)
            )
            override.reason = "El cliente pidió que lo llamáramos hoy"
            override.save().action_confirm()
            self.assertEqual(weekly.cobranza_override_user_id, self.manager)
            self.assertFalse(weekly._cobranza_blocked_reason())
            self.assertNotEqual(weekly.cobranza_queue_state, "blocked")
            self.assertIn("El cliente pidió que lo llamáramos hoy", self.customer_b.message_ids[0].body)
            action = weekly.with_user(self.collector).action_cobranza_start_call()
            self.assertEqual(action["res_model"], "cobranza.call.wizard")
            wizard = Form(
                self.env["cobranza.call.wizard"].with_user(self.collector).with_context(**action["context"])
            )
            wizard.contact_result = "no_answer"
            wizard.save().action_confirm()
            contact = self.env["cobranza.contact"].search([("partner_id", "=", self.customer_b.id)], limit=1)
            self.assertRecordValues(contact, [{"channel": "call", "authorized": True, "reached": False}])
        with freeze_time(
            datetime(2026, 3, 16, 23, 30)
        ):  # Monday 20:30 in Santiago: outside the hours, whatever a manager says
            block = self.activity._cobranza_blocked_reason()[self.activity.id]
            self.assertEqual(block["next_allowed"], datetime(2026, 3, 17, 11, 0))
