from collections import Counter
from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.cobranza_followup_run import CobranzaFollowupRun
from ..services import rut
from .common import CobranzaCommon


class SimulatedCrash(BaseException):
    """Stands for the process dying mid-batch (not an error the run would catch)."""


class FollowupCommon(CobranzaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.levels = cls.env["cobranza.level"].search([("company_id", "=", cls.company.id)])
        cls.level = {level.day_offset: level for level in cls.levels}
        cls.call_type = cls.env.ref("cobranza_telefonica.mail_activity_type_cobranza_call")
        for partner in cls.customer | cls.customer_b:
            partner.with_company(cls.company).cobranza_collector_id = cls.collector

    def _run(self, user=None, partners=None):
        """'Run now' as a collection manager (or ``user``) on the test company; return the run."""
        user = user or self.manager
        Run = (
            self.env["cobranza.followup.run"]
            .with_user(user)
            .with_context(allowed_company_ids=self.company.ids)
        )
        action = Run._cobranza_run_manual(partners=partners)
        return self.env["cobranza.followup.run"].browse(action["domain"][0][2])

    def _mails(self, moves):
        return self.env["mail.mail"].search([("model", "=", "account.move"), ("res_id", "in", moves.ids)])

    def _calls(self, partner):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("activity_type_id", "=", self.call_type.id),
            ]
        )


@tagged("post_install", "-at_install")
class TestFollowupLevels(FollowupCommon):
    def test_default_levels(self):
        self.assertEqual(sorted(self.level), [-3, 0, 7, 15, 30, 60, 90])
        self.assertEqual(self.level[-3].stage, "preventive")
        self.assertEqual(
            self.level[-3].mail_template_id,
            self.env.ref("cobranza_telefonica.mail_template_cobranza_preventive"),
        )
        self.assertTrue(self.level[15].send_email and self.level[15].schedule_call)
        self.assertTrue(self.level[30].print_letter)
        self.assertTrue(self.level[60].manager_review)
        self.assertTrue(self.level[90].pre_legal)
        self.assertEqual(self.level[0].name, "Día de vencimiento: llamada")
        new_company = self.env["res.company"].create({"name": "Nueva Empresa SpA"})
        self.assertEqual(self.env["cobranza.level"].search_count([("company_id", "=", new_company.id)]), 7)
        self.assertEqual(
            self.env["cobranza.guardrail"].search_count([("company_id", "=", new_company.id)]), 2
        )
        self.assertIn(
            date(2026, 9, 18),
            self.env["cobranza.holiday"]._cobranza_days_off(new_company, [2026]),
            "public holidays come from the holidays package, nothing to ship per company",
        )
        self.env["res.company"]._cobranza_create_default_levels()
        self.assertEqual(
            self.env["cobranza.level"].search_count([("company_id", "=", new_company.id)]), 7, "idempotent"
        )

    def test_level_validation(self):
        Level = self.env["cobranza.level"].with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "already fires 7 days"):
            Level.create(
                {"name": "Otra", "day_offset": 7, "schedule_call": True, "company_id": self.company.id}
            )
        with self.assertRaisesRegex(ValidationError, "does nothing"):
            Level.create({"name": "Nada", "day_offset": 46, "company_id": self.company.id})
        partner_template = self.env["mail.template"].create(
            {"name": "De contactos", "model_id": self.env["ir.model"]._get_id("res.partner")}
        )
        with self.assertRaisesRegex(ValidationError, "needs a template of invoices"):
            Level.create(
                {
                    "name": "Mal",
                    "day_offset": 47,
                    "send_email": True,
                    "mail_template_id": partner_template.id,
                    "company_id": self.company.id,
                }
            )
        other_company = self.env["res.company"].create({"name": "Otra Empresa SpA"})
        outsider = new_test_user(
            self.env,
            login="outsider",
            groups="base.group_user",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        with self.assertRaisesRegex(ValidationError, "does not work for"):
            self.level[7].user_id = outsider
        portal = new_test_user(
            self.env,
            login="portal_debtor",
            groups="base.group_portal",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaisesRegex(ValidationError, "internal user"):
            self.level[7].user_id = portal
        with self.assertRaisesRegex(ValidationError, "does not work for"):
            self.company.cobranza_default_collector_id = outsider
        level = Level.create(
            {"name": "45 días", "day_offset": 45, "schedule_call": True, "company_id": self.company.id}
        )
        self.assertEqual(level.display_name, "+45 · 45 días")

    def test_access(self):
        with self.assertRaises(AccessError):
            self.level[7].with_user(self.collector).write({"name": "cambio"})
        self.assertEqual(
            self.level[7].with_user(self.collector).name, self.level[7].name, "collectors read levels"
        )
        with self.assertRaises(AccessError):
            self._run(user=self.collector)
        with self.assertRaises(AccessError):
            self._run(user=self.plain_user)
        with self.assertRaises(AccessError):
            self.env["cobranza.level"].with_user(self.plain_user).search([])

    def test_cron_and_lists(self):
        """The shipped cron calls the run; the collection lists filter and group as documented."""
        cron = self.env.ref("cobranza_telefonica.ir_cron_cobranza_followup")
        self.assertIn("_cron_cobranza_followup", cron.code)
        self.customer_b.with_company(self.company).cobranza_collector_id = False
        invoice = self._invoice(self.customer, 9000, date(2026, 3, 1))
        self._invoice(self.customer_b, 1000, date(2026, 3, 20))
        with freeze_time("2026-03-16 15:00:00"):
            cron.method_direct_trigger()
            run = self.env["cobranza.followup.run"].search([("company_id", "=", self.company.id)], limit=1)
            self.assertEqual((run.trigger, run.state, run.evaluated_count), ("cron", "done", 2))
            Partner = (
                self.env["res.partner"]
                .with_user(self.collector)
                .with_context(allowed_company_ids=self.company.ids)
            )
            self.assertEqual(
                Partner.search(
                    [("cobranza_amount_overdue", ">", 0), ("id", "in", (self.customer | self.customer_b).ids)]
                ),
                self.customer,
            )
            no_collector = Partner.search(
                [("cobranza_collector_id", "=", False), ("id", "in", (self.customer | self.customer_b).ids)]
            )
            self.assertEqual(no_collector, self.customer_b)
            groups = dict(
                Partner._read_group(
                    [("id", "in", (self.customer | self.customer_b).ids)], ["cobranza_level_id"], ["__count"]
                )
            )
            self.assertEqual(groups[self.level[15]], 1)
            Move = self.env["account.move"].with_user(self.collector)
            by_level = dict(
                Move._read_group([("partner_id", "=", self.customer.id)], ["cobranza_level_id"], ["__count"])
            )
            self.assertEqual(by_level, {self.level[15]: 1})
            self.assertEqual(
                Move.search([("cobranza_excluded", "=", True), ("id", "=", invoice.id)]), Move.browse()
            )
        with self.assertRaises(AccessError):
            invoice.with_user(self.plain_user).action_cobranza_print_letter()

    def test_ladder_fires_each_level_on_its_day_once(self):
        due = date(2026, 3, 17)  # a Tuesday: every level day is an allowed contact day
        invoice = self._invoice(self.customer, 100000, due, invoice_date=date(2026, 2, 15), doc_code="33")
        expected = [
            # (day, level offset, e-mails so far, call activities, letter pending, reviews)
            (date(2026, 3, 13), False, 0, 0, False, 0),
            (date(2026, 3, 14), -3, 1, 0, False, 0),
            (date(2026, 3, 17), 0, 1, 1, False, 0),
            (date(2026, 3, 24), 7, 1, 1, False, 0),
            (date(2026, 4, 1), 15, 2, 1, False, 0),
            (date(2026, 4, 16), 30, 2, 1, True, 0),
            (date(2026, 5, 16), 60, 2, 1, True, 1),
            (date(2026, 6, 15), 90, 2, 1, True, 2),
        ]
        for day, offset, mails, calls, letter, reviews in expected:
            for hour in (13, 22):  # twice a day: 09:00-10:00 and 18:00-19:00 in Santiago (UTC-4/-3)
                with (
                    self.subTest(day=day, hour=hour),
                    freeze_time(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)),
                ):
                    run = self._run()
                    self.assertEqual(run.state, "done")
                    self.assertEqual(run.error_count, 0, run.log)
                    self.assertEqual(
                        invoice.cobranza_level_id,
                        self.level[offset] if offset is not False else self.env["cobranza.level"],
                    )
                    self.assertEqual(len(self._mails(invoice)), mails)
                    self.assertEqual(len(self._calls(self.customer)), calls)
                    self.assertEqual(invoice.cobranza_letter_pending, letter)
                    reviews_found = self.env["mail.activity"].search_count(
                        [
                            ("res_model", "=", "res.partner"),
                            ("res_id", "=", self.customer.id),
                            ("activity_type_id", "=", self.env.ref("mail.mail_activity_data_todo").id),
                        ]
                    )
                    self.assertEqual(reviews_found, reviews)
        self.assertTrue(invoice.cobranza_pre_legal)
        self.assertEqual(invoice.cobranza_days_overdue, (self.company._cobranza_today() - due).days)
        call = self._calls(self.customer)
        self.assertEqual(call.user_id, self.collector)
        self.assertIn(invoice.l10n_latam_document_number, str(call.note))
        self.assertRegex(str(call.note), r"100[.,]000")
        mail = self._mails(invoice).sorted("id")[0]
        self.assertIn(invoice.cobranza_dte_label, mail.subject)
        self.assertIn("/my/invoices/", str(mail.body_html))
        contacts = self.env["cobranza.contact"].search(
            [("partner_id", "=", self.customer.id), ("channel", "=", "email")]
        )
        self.assertEqual(len(contacts), 2, "every e-mail is logged as a contact")
        actions = self.env["cobranza.followup.action"].search([("move_id", "=", invoice.id)])
        self.assertEqual(
            sorted((a.level_id.day_offset, a.action) for a in actions),
            [
                (-3, "email"),
                (0, "call"),
                (7, "call"),
                (15, "call"),
                (15, "email"),
                (30, "call"),
                (30, "letter"),
                (60, "review"),
                (90, "review"),
            ],
        )

    def test_next_action_date_and_days_search(self):
        invoice = self._invoice(self.customer, 5000, date(2026, 3, 10))
        with freeze_time("2026-03-16 15:00:00"):
            self._run()
            self.assertEqual(invoice.cobranza_level_id, self.level[0])
            self.assertEqual(invoice.cobranza_next_action_date, date(2026, 3, 17))
            self.assertEqual(invoice.cobranza_days_overdue, 6)
            Move = self.env["account.move"]
            self.assertIn(invoice, Move.search([("cobranza_days_overdue", ">", 5)]))
            self.assertNotIn(invoice, Move.search([("cobranza_days_overdue", ">", 6)]))

    def test_one_activity_reused_with_other_features(self):
        """An open call activity scheduled elsewhere (e.g. a broken promise) is updated, not doubled."""
        first = self._invoice(self.customer, 1000, date(2026, 3, 9))
        second = self._invoice(self.customer, 2000, date(2026, 3, 1))
        other = self.customer.activity_schedule(
            "cobranza_telefonica.mail_activity_type_cobranza_call",
            note="Promesa incumplida",
            user_id=self.manager.id,
        )
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run()
        activity = self._calls(self.customer)
        self.assertEqual(activity, other)
        self.assertEqual(activity.user_id, self.collector)
        self.assertIn(first.l10n_latam_document_number, str(activity.note))
        self.assertIn(second.l10n_latam_document_number, str(activity.note))
        self.assertEqual(run.call_count, 1)
        self.assertEqual(run.evaluated_count, 2)


@tagged("post_install", "-at_install")
class TestFollowupExclusions(FollowupCommon):
    def test_every_exclusion(self):
        disputed = self._invoice(self.customer, 1000, date(2026, 3, 1))
        promised = self._invoice(self.customer, 2000, date(2026, 3, 1))
        clean = self._invoice(self.customer, 3000, date(2026, 3, 1))
        held = self._invoice(self.customer_b, 4000, date(2026, 3, 1))
        disputed.cobranza_dispute = True
        self.customer_b.with_company(self.company).cobranza_on_hold = True
        with freeze_time("2026-03-16 15:00:00"):
            self.env["cobranza.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "date": date(2026, 3, 20),
                    "line_ids": [Command.create({"move_id": promised.id, "amount": 2000})],
                }
            )
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run()
        self.assertEqual(run.excluded_count, 3)
        self.assertEqual(run.excluded_by_reason, {"dispute": 1, "promise": 1, "on_hold": 1})
        self.assertIn("Disputed: 1", run.with_context(lang="en_US").excluded_summary)
        self.assertEqual(
            [(m.cobranza_excluded, m.cobranza_exclusion_reason) for m in (disputed, promised, clean, held)],
            [(True, "dispute"), (True, "promise"), (False, False), (True, "on_hold")],
        )
        self.assertFalse(self._calls(self.customer_b), "a customer on hold gets no call")
        note = str(self._calls(self.customer).note)
        self.assertIn(clean.l10n_latam_document_number, note)
        self.assertNotIn(disputed.l10n_latam_document_number, note)
        # The promise falls due unpaid: the invoice comes back into the follow-up.
        with freeze_time("2026-03-23 15:00:00"):
            self._run()
        self.assertFalse(promised.cobranza_excluded)
        self.assertEqual(promised.cobranza_level_id, self.level[15])
        excluded = self.env["account.move"].search(
            [("cobranza_excluded", "=", True), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(excluded, disputed | held)


@tagged("post_install", "-at_install")
class TestFollowupGuardrails(FollowupCommon):
    def test_contact_check_api(self):
        person = self.customer_b  # a natural person: Ley 21.320 applies
        with freeze_time("2026-03-16 15:00:00"):  # Monday 12:00 in Santiago (UTC-3)
            self.assertTrue(person._cobranza_contact_check("call")["allowed"])
            person._cobranza_log_contact("call", origin="test")
            second = person._cobranza_contact_check("call", when=datetime(2026, 3, 18, 15, 0))
            self.assertFalse(second["allowed"])
            self.assertIn("weekly limit", second["reason"])
            self.assertEqual(second["next_allowed"], datetime(2026, 3, 23, 15, 0))
            sunday = person._cobranza_contact_check("email", when=datetime(2026, 3, 22, 15, 0))
            self.assertFalse(sunday["allowed"])
            self.assertEqual(sunday["next_allowed"], datetime(2026, 3, 23, 11, 0), "Monday 08:00 Santiago")
            late = person._cobranza_contact_check(
                "email", when=datetime(2026, 3, 17, 0, 0)
            )  # Monday 21:00 local
            self.assertFalse(late["allowed"])
            self.assertEqual(late["next_allowed"], datetime(2026, 3, 17, 11, 0))
            holiday = person._cobranza_contact_check(
                "email", when=datetime(2026, 4, 3, 15, 0)
            )  # Viernes Santo
            self.assertEqual(holiday["reason"], "public holiday")
            self.assertEqual(
                holiday["next_allowed"], datetime(2026, 4, 6, 12, 0), "Saturday is also a holiday"
            )
            self.env["cobranza.holiday"].create(
                {"company_id": self.company.id, "date": date(2026, 4, 6), "name": "Aniversario"}
            )
            self.assertEqual(
                person._cobranza_contact_check("email", when=datetime(2026, 4, 3, 15, 0))["next_allowed"],
                datetime(2026, 4, 7, 12, 0),
                "the company adds its own days",
            )
            rule = self.env["cobranza.guardrail"].search(
                [("company_id", "=", self.company.id), ("debtor_type", "=", "person")]
            )
            rule.max_calls_per_week = 2
            self.assertTrue(
                person._cobranza_contact_check("call", when=datetime(2026, 3, 18, 15, 0))["allowed"]
            )

    def test_run_postpones_second_call_of_the_week(self):
        invoice = self._invoice(self.customer_b, 50000, date(2026, 3, 9))
        with freeze_time("2026-03-14 15:00:00"):
            self.customer_b._cobranza_log_contact("call", origin="llamada del gestor")
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run()
        self.assertEqual(run.call_count, 1)
        self.assertEqual(run.postponed_count, 1)
        self.assertIn("postponed", run.with_context(lang="en_US").log)
        call = self._calls(self.customer_b)
        self.assertEqual(len(call), 1)
        self.assertEqual(call.date_deadline, date(2026, 3, 21), "one week after Saturday's call")
        # The queue names the document to discuss by type and folio.
        self.assertIn(call.summary.split(": ", 1)[0], ("Collection call", "Llamada de cobranza"))
        self.assertEqual(call.summary.split(": ", 1)[1], invoice.cobranza_dte_label)
        self.assertEqual(invoice.cobranza_next_action_date, date(2026, 3, 21))
        self.assertIn("weekly limit", invoice.with_context(lang="en_US").cobranza_postpone_reason)

    def test_run_postpones_email_sunday_and_night(self):
        sunday_invoice = self._invoice(self.customer_b, 1000, date(2026, 3, 25))  # -3 on Sunday 22
        with freeze_time("2026-03-22 15:00:00"):
            run = self._run()
        self.assertEqual((run.email_count, run.postponed_count), (0, 1))
        self.assertFalse(self._mails(sunday_invoice))
        self.assertEqual(sunday_invoice.cobranza_next_action_date, date(2026, 3, 23))
        with freeze_time("2026-03-23 00:30:00"):  # Sunday 21:30 in Santiago
            run = self._run()
        self.assertEqual(run.email_count, 0)
        queued = self.env["cobranza.contact.queue"].search([("partner_id", "=", self.customer_b.id)])
        self.assertRecordValues(queued, [{"state": "queued", "send_after": datetime(2026, 3, 23, 11, 0)}])
        with freeze_time("2026-03-23 11:10:00"):  # Monday 08:10: the queue sends it, not the next run
            self.env["cobranza.contact.queue"]._cron_cobranza_deliver()
        self.assertEqual(queued.state, "sent")
        self.assertEqual(len(self._mails(sunday_invoice)), 1)
        with freeze_time("2026-03-23 12:00:00"):  # Monday 09:00
            run = self._run()
        self.assertEqual(run.email_count, 0, "sent once")
        self.assertEqual(len(self._mails(sunday_invoice)), 1)

    def test_run_spaces_messages(self):
        """One message per customer lists every invoice due a message: the limit of two messages
        a week, two days apart, is not spent on one customer's invoices one by one."""
        first = self._invoice(self.customer_b, 1000, date(2026, 3, 19))
        second = self._invoice(self.customer_b, 2000, date(2026, 3, 19))
        third = self._invoice(self.customer_b, 3000, date(2026, 3, 20))
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run()
        self.assertEqual((run.email_count, run.postponed_count), (1, 0))
        mail = self._mails(first | second)
        self.assertEqual(len(mail), 1)
        for invoice in (first, second):
            self.assertIn(invoice.cobranza_dte_label, mail.subject)
            self.assertIn(f"{invoice.cobranza_dte_label}:", str(mail.body_html))
        self.assertNotIn(f"{third.cobranza_dte_label}:", str(mail.body_html))
        with freeze_time("2026-03-17 15:00:00"):
            run = self._run()
            self.assertEqual((run.email_count, run.postponed_count), (0, 1), "two days between messages")
        self.assertEqual(third.cobranza_next_action_date, date(2026, 3, 18))
        with freeze_time("2026-03-18 14:00:00"):  # two days after the first message: the queue sends
            self.env["cobranza.contact.queue"]._cron_cobranza_deliver()
            self.assertEqual(len(self._mails(third)), 0, "not before two days have passed")
        with freeze_time("2026-03-18 15:05:00"):
            self.env["cobranza.contact.queue"]._cron_cobranza_deliver()
            self.assertEqual(self._run().email_count, 0)
        self.assertEqual(len(self._mails(third)), 1)
        self.assertEqual(len(self._mails(first | second | third)), 2)
        contacts = self.env["cobranza.contact"].search(
            [("partner_id", "=", self.customer_b.id), ("channel", "=", "email")]
        )
        self.assertEqual(len(contacts), 2)

    def test_contacts_kept_two_years(self):
        with freeze_time("2026-03-16 15:00:00"):
            contact = self.customer._cobranza_log_contact("call")
            with self.assertRaises(UserError):
                contact.unlink()
            old = self.customer._cobranza_log_contact("call", when=datetime(2024, 3, 1, 15, 0))
            with self.assertRaises(UserError):
                old.unlink()  # only the retention cron removes contacts
            self.env["cobranza.contact"]._cron_cobranza_purge_contacts()
            self.assertFalse(old.exists())
            self.assertTrue(contact.exists())


@tagged("post_install", "-at_install")
class TestFollowupPayments(FollowupCommon):
    def test_payments_and_credit_notes(self):
        invoice = self._invoice(self.customer, 100000, date(2026, 3, 1))
        other = self._invoice(self.customer, 30000, date(2026, 3, 5))
        with freeze_time("2026-03-16 15:00:00"):
            self._run()
            self.assertEqual(invoice.cobranza_level_id, self.level[15])
            partner = self.customer.with_company(self.company)
            self.assertEqual(partner.cobranza_amount_due, 130000)
            self.assertEqual(partner.cobranza_amount_overdue, 130000)
            self.assertEqual(partner.cobranza_oldest_overdue_date, date(2026, 3, 1))
            self.assertEqual(partner.cobranza_level_id, self.level[15])
            self.assertIn(
                self.customer, self.env["res.partner"].search([("cobranza_amount_overdue", ">", 0)])
            )
            self._pay(invoice, 40000, date(2026, 3, 16))
            self._credit_note(invoice, 10000, date(2026, 3, 16))
            partner.invalidate_recordset()
            self.assertEqual(partner.cobranza_amount_due, 80000, "abono and nota de crédito reduce the debt")
            self._run()
            self.assertRegex(str(self._calls(self.customer).note), r"50[.,]000")
            self._pay(invoice, 50000, date(2026, 3, 16))
            self._pay(other, 30000, date(2026, 3, 16))
            run = self._run()
        self.assertEqual(invoice.payment_state in ("paid", "in_payment"), True)
        self.assertFalse(invoice.cobranza_level_id, "a paid invoice leaves the follow-up")
        self.assertFalse(invoice.cobranza_next_action_date)
        self.assertFalse(self._calls(self.customer), "nothing left to collect: no call")
        self.assertEqual(run.evaluated_count, 0)
        self.assertNotIn(self.customer, self.env["res.partner"].search([("cobranza_amount_overdue", ">", 0)]))

    def test_partner_process_and_no_phone(self):
        silent = self._create_cl_partner("Sin Fono Ltda", "77777777-7", phone=False)
        self.assertTrue(silent.cobranza_no_phone)
        self.assertFalse(self.customer.cobranza_no_phone)
        invoice = self._invoice(silent, 1000, date(2026, 3, 9))
        self._invoice(self.customer, 1000, date(2026, 3, 9))
        with freeze_time("2026-03-16 15:00:00"):
            action = (
                silent.with_user(self.manager)
                .with_context(allowed_company_ids=self.company.ids)
                .action_cobranza_process()
            )
        run = self.env["cobranza.followup.run"].browse(action["domain"][0][2])
        self.assertEqual((run.trigger, run.evaluated_count, run.customer_count), ("partner", 1, 1))
        self.assertEqual(invoice.cobranza_level_id, self.level[7])
        self.assertIn("No phone", str(self._calls(silent).with_context(lang="en_US").note))
        self.assertTrue(
            self._calls(silent).user_id.has_group("cobranza_telefonica.group_cobranza_manager"),
            "no collector anywhere: a collection manager gets the call",
        )
        self.assertFalse(self._calls(self.customer), "only the customer processed")

    def test_letter(self):
        invoice = self._invoice(self.customer, 70000, date(2026, 2, 1))
        with freeze_time("2026-03-16 15:00:00"):
            self._run()
            self.assertTrue(invoice.cobranza_letter_pending)
            action = invoice.with_user(self.collector).action_cobranza_print_letter()
        self.assertEqual(action["report_name"], "cobranza_telefonica.report_cobranza_letter")
        self.assertFalse(invoice.cobranza_letter_pending)
        self.assertEqual(
            self.env["cobranza.contact"].search([("partner_id", "=", self.customer.id)]).channel, "letter"
        )
        html = self.env["ir.actions.report"]._render_qweb_html(
            "cobranza_telefonica.report_cobranza_letter", invoice.ids
        )[0]
        self.assertIn(invoice.l10n_latam_document_number, str(html))
        self.assertRegex(str(html), r"70[.,]000")


@tagged("post_install", "-at_install")
class TestFollowupRobustness(FollowupCommon):
    def test_multi_company_isolation(self):
        other = self.setup_other_company(name="Sucursal Sur SpA")["company"]
        other_levels = self.env["cobranza.level"].search([("company_id", "=", other.id)])
        self.assertEqual(len(other_levels), 7)
        self.assertNotIn(other_levels[0], self.env["cobranza.level"].with_user(self.manager).search([]))
        other_levels.filtered(lambda lvl: lvl.day_offset == 7).day_offset = 5
        journal = self.env["account.journal"].search(
            [("company_id", "=", other.id), ("type", "=", "sale")], limit=1
        )
        journal.l10n_latam_use_documents = False
        other_invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": other.id,
                "journal_id": journal.id,
                "partner_id": self.customer.id,
                "invoice_date": date(2026, 2, 1),
                "invoice_date_due": date(2026, 3, 10),
                "invoice_line_ids": [
                    Command.create({"name": "x", "quantity": 1, "price_unit": 500, "tax_ids": []})
                ],
            }
        )
        other_invoice.action_post()
        invoice = self._invoice(self.customer, 1000, date(2026, 3, 10))
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run()
            self.assertEqual(run.company_id, self.company)
            self.assertEqual(run.evaluated_count, 1)
            self.assertEqual(invoice.cobranza_level_id, self.level[0])
            self.assertFalse(
                other_invoice.cobranza_level_id, "the manager's run does not touch another company"
            )
            self.env["cobranza.followup.run"]._cron_cobranza_followup()
        self.assertEqual(other_invoice.cobranza_level_id.day_offset, 5, "each company uses its own levels")
        self.assertEqual(other_invoice.cobranza_level_id.company_id, other)
        other_run = self.env["cobranza.followup.run"].search([("company_id", "=", other.id)])
        self.assertEqual(other_run.evaluated_count, 1)
        self.assertNotIn(other_run, self.env["cobranza.followup.run"].with_user(self.manager).search([]))

    def test_crashed_batch_resumed_without_doubles(self):
        partners = self.customer | self.customer_b | self._create_cl_partner("Tercero SpA", "76086428-5")
        invoices = self.env["account.move"]
        for partner in partners:
            invoices |= self._invoice(partner, 1000, date(2026, 3, 19))  # -3: one e-mail each
        original = CobranzaFollowupRun._send_emails
        calls = []

        def crash_on_second_batch(run, template, move_ids):
            calls.append(move_ids)
            original(run, template, move_ids)
            if len(calls) == 2:
                raise SimulatedCrash()

        with freeze_time("2026-03-16 15:00:00"):
            Run = self.env["cobranza.followup.run"]
            crashed_here = False
            # Not assertRaises: it would roll back the batch the crash left committed.
            try:
                with patch.object(CobranzaFollowupRun, "_send_emails", crash_on_second_batch):
                    Run._cron_cobranza_followup(batch_size=1)
            except SimulatedCrash:
                crashed_here = True
            self.assertTrue(crashed_here)
            crashed = Run.search([("company_id", "=", self.company.id), ("trigger", "=", "cron")])
            self.assertEqual(crashed.state, "running")
            self.assertEqual(crashed.email_count, 1)
            self.assertEqual(len(self._mails(invoices)), 1, "the crashed batch was rolled back")
            Run._cron_cobranza_followup(batch_size=1)
            self.assertEqual(
                Run.search([("company_id", "=", self.company.id), ("trigger", "=", "cron")]),
                crashed,
                "resumed",
            )
            self.assertEqual(crashed.state, "done")
            self.assertEqual(crashed.email_count, 3)
            self.assertEqual(crashed.evaluated_count, 3)
            for invoice in invoices:
                self.assertEqual(len(self._mails(invoice)), 1)
            Run._cron_cobranza_followup(batch_size=1)
            self.assertEqual(len(self._mails(invoices)), 3, "a second run the same day sends nothing more")

    def test_one_customer_error_does_not_stop_the_run(self):
        self._invoice(self.customer, 1000, date(2026, 3, 9))
        self._invoice(self.customer_b, 1000, date(2026, 3, 9))
        original = type(self.env["res.partner"])._cobranza_decide
        customer_id = self.customer.id

        def broken(partner, *args, **kwargs):
            if partner.id == customer_id:
                raise ValueError("teléfono corrupto")
            return original(partner, *args, **kwargs)

        with (
            freeze_time("2026-03-16 15:00:00"),
            patch.object(type(self.env["res.partner"]), "_cobranza_decide", broken),
            self.assertLogs("odoo.addons.cobranza_telefonica.models.cobranza_followup_run", "WARNING"),
        ):
            run = self._run()
        self.assertEqual(run.error_count, 1)
        self.assertIn("teléfono corrupto", run.log)
        self.assertEqual(run.state, "done")
        self.assertTrue(self._calls(self.customer_b))
        self.assertFalse(self._calls(self.customer))


@tagged("post_install", "-at_install")
class TestFollowupMailBatch(FollowupCommon):
    def test_one_compile_each_recipient_own_values(self):
        """The e-mails of one batch share the compiled body (ir.qweb's per-batch cache), but each
        one names its own customer, folio and amount, never the previous recipient's."""
        one = self._invoice(self.customer, 111111, date(2026, 3, 19))
        two = self._invoice(self.customer_b, 222222, date(2026, 3, 19))
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run()
        self.assertEqual(run.email_count, 2)
        for invoice, other in ((one, two), (two, one)):
            body = str(self._mails(invoice).body_html)
            self.assertIn(invoice.partner_id.name, body)
            self.assertIn(f"{invoice.cobranza_dte_label}:", body)
            self.assertRegex(
                body, str(int(invoice.amount_residual))[:3] + r"[.,]" + str(int(invoice.amount_residual))[3:]
            )
            self.assertNotIn(f"{other.cobranza_dte_label}:", body)
            self.assertNotIn(other.partner_id.name, body)


@tagged("post_install", "-at_install")
class TestFollowupQueryCount(FollowupCommon):
    def _customers(self, count, first):
        partners = self.env["res.partner"]
        for number in range(first, first + count):
            body = 78000000 + number
            partner = self._create_cl_partner(f"Cliente {number} SpA", f"{body}-{rut.check_digit(body)}")
            partner.with_company(self.company).cobranza_collector_id = self.collector
            # 8 days overdue: a call; 16 days: a call and an e-mail (levels +7 and +15).
            self._invoice(partner, 1000 + number, date(2026, 3, 8))
            self._invoice(partner, 2000 + number, date(2026, 3, 1))
            partners |= partner
        return partners

    def _queries_of_run(self, partners):
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run(partners=partners)
            self.env.flush_all()  # what the run left to compute counts too (stored computes)
            count = self.env.cr.sql_log_count - before
        self.assertEqual(run.customer_count, len(partners))
        self.assertEqual(run.call_count, len(partners))
        return count

    def test_queries_grow_with_batches_not_customers(self):
        """One batch's queries do not grow with its customers: four times the customers (each
        with two invoices, an e-mail and a call activity) cost the same queries, give or take a
        few (a query per customer or per activity, as the call activities' customer look-up was,
        would add at least 12 here). The invoices have no portal token yet: the e-mails' links get
        them in one query, not one per invoice."""
        self._queries_of_run(self._customers(2, 1))  # warms Odoo's caches (a first run reads more)
        small = self._queries_of_run(self._customers(4, 11))
        customers = self._customers(16, 101)
        large = self._queries_of_run(customers)
        self.assertLess(large - small, 12, f"{small} queries for 4 customers, {large} for 16")
        # Each e-mailed invoice's link carries its own token.
        mailed = self._mails(self.env["account.move"].search([("partner_id", "in", customers.ids)]))
        self.assertEqual(len(mailed), 16)
        for mail in mailed:
            move = self.env["account.move"].browse(mail.res_id)
            self.assertTrue(move.access_token)
            self.assertIn(f"access_token={move.access_token}", str(mail.body_html))


@tagged("post_install", "-at_install")
class TestFollowupParallelBatches(FollowupCommon):
    """How the run's thread records the batches its worker threads finish in any order (the
    workers themselves run outside tests: a test works in one transaction)."""

    def _run_record(self):
        return (
            self.env["cobranza.followup.run"]
            .sudo()
            .create({"company_id": self.company.id, "trigger": "cron"})
        )

    def _fake_worker(self, outcomes):
        """A worker that takes every batch and hands the outcomes back last batch first."""

        def worker(run, uid, su, context, todo, results):
            taken = []
            while not todo.empty():
                taken.append(todo.get())
            for index, batch in reversed(taken):
                results.put((index, outcomes(index, batch)))

        return worker

    def test_batches_recorded_in_order_whatever_order_they_finish(self):
        run = self._run_record()
        batches = [(11, 12), (13, 14, 15), (16,)]
        cursors = []
        record = CobranzaFollowupRun._record_batch

        def spy(self, stats, log, last_partner_id):
            cursors.append(last_partner_id)
            return record(self, stats, log, last_partner_id)

        def outcomes(index, batch):
            return Counter(customer_count=len(batch), email_count=index), [f"batch {index}"]

        with (
            patch.object(CobranzaFollowupRun, "_cobranza_worker", self._fake_worker(outcomes)),
            patch.object(CobranzaFollowupRun, "_record_batch", spy),
        ):
            run._process_batches_parallel(batches, 2)
        # The run's cursor passes a batch only once every batch before it is recorded.
        self.assertEqual(cursors, [12, 15, 16])
        self.assertEqual((run.cursor_partner_id, run.customer_count, run.email_count), (16, 6, 0 + 1 + 2))
        self.assertEqual(run.log.splitlines(), ["batch 0", "batch 1", "batch 2"])

    def test_a_worker_failure_stops_the_run(self):
        """A worker's error reaches the run (which stays unfinished, resumed by the next one),
        after what the batches before it did is recorded."""
        run = self._run_record()

        def outcomes(index, batch):
            return (
                RuntimeError("conexión perdida") if index == 1 else (Counter(customer_count=len(batch)), [])
            )

        def worker(run_, uid, su, context, todo, results):
            while not todo.empty():
                index, batch = todo.get()
                results.put((index, outcomes(index, batch)))

        with (
            patch.object(CobranzaFollowupRun, "_cobranza_worker", worker),
            self.assertRaisesRegex(RuntimeError, "conexión perdida"),
        ):
            run._process_batches_parallel([(21,), (22,), (23,)], 1)
        self.assertEqual((run.cursor_partner_id, run.customer_count, run.state), (21, 1, "running"))

    def test_one_worker_under_tests(self):
        run = self._run_record()
        self.env["ir.config_parameter"].sudo().set_param("cobranza_telefonica.followup_workers", "3")
        self.assertEqual(run._cobranza_worker_count(10), 1)
