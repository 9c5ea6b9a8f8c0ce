import logging
from datetime import date

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_followup import FollowupCommon

RUN_LOGGER = "odoo.addons.cobranza_telefonica.models.cobranza_followup_run"


@tagged("post_install", "-at_install")
class TestFollowupRunLock(FollowupCommon):
    """One follow-up run at a time per company: while another connection holds the company's
    lock (a run in progress elsewhere), Run now / Process refuse and the cron skips it."""

    def _company_runs(self):
        return self.env["cobranza.followup.run"].search([("company_id", "=", self.company.id)])

    def test_second_run_refused_while_one_runs(self):
        invoice = self._invoice(self.customer, 1000, date(2026, 3, 9))
        self.env.flush_all()
        other_cr = self.registry.cursor()  # another connection: another PostgreSQL session
        other_run = api.Environment(other_cr, SUPERUSER_ID, {})["cobranza.followup.run"]
        company = other_run.env["res.company"].browse(self.company.id)
        try:
            self.assertTrue(other_run._cobranza_lock_company(company))
            with freeze_time("2026-03-16 15:00:00"):
                with self.assertRaisesRegex(UserError, "already running"):
                    self._run()
                with self.assertRaisesRegex(UserError, "already running"):
                    self.customer.with_user(self.manager).with_context(
                        allowed_company_ids=self.company.ids
                    ).action_cobranza_process()
                # logging.INFO, not "INFO": Odoo names its level 25 "INFO".
                with self.assertLogs(RUN_LOGGER, logging.INFO) as logs:
                    self.assertTrue(self.env["cobranza.followup.run"]._cron_cobranza_followup())
                self.assertFalse([record for record in logs.records if record.levelno >= logging.ERROR])
                self.assertTrue(
                    any(
                        "skipped" in record.getMessage() and self.company.name in record.getMessage()
                        for record in logs.records
                    ),
                    "the cron says, at INFO, that it skipped the company",
                )
            self.assertFalse(self._company_runs(), "no run recorded, so no customer logged as an error")
            self.assertFalse(invoice.cobranza_level_id, "nothing processed")
        finally:
            other_run._cobranza_unlock_company(company)
            other_cr.rollback()
            other_cr.close()
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run()
            self.env["cobranza.followup.run"]._cron_cobranza_followup()
        self.assertEqual((run.state, run.error_count, run.evaluated_count), ("done", 0, 1))
        self.assertEqual(invoice.cobranza_level_id, self.level[7])
        self.assertEqual(self._company_runs().mapped("trigger"), ["cron", "manual"])
        # The run released its lock: another session can take it again.
        with self.registry.cursor() as cr:
            Run = api.Environment(cr, SUPERUSER_ID, {})["cobranza.followup.run"]
            company = Run.env["res.company"].browse(self.company.id)
            self.assertTrue(Run._cobranza_lock_company(company), "the runs left no lock behind")
            Run._cobranza_unlock_company(company)
            cr.rollback()

    def test_process_of_a_run_refused_while_locked(self):
        """Whoever calls ``_process`` directly (the demo does) is refused as well."""
        run = self.env["cobranza.followup.run"].create({"company_id": self.company.id, "trigger": "manual"})
        with self.registry.cursor() as cr:
            Run = api.Environment(cr, SUPERUSER_ID, {})["cobranza.followup.run"]
            company = Run.env["res.company"].browse(self.company.id)
            try:
                self.assertTrue(Run._cobranza_lock_company(company))
                with self.assertRaisesRegex(UserError, "already running"):
                    run._process()
            finally:
                Run._cobranza_unlock_company(company)
                cr.rollback()
        self.assertEqual(run.state, "running")
        run._process()
        self.assertEqual(run.state, "done")


@tagged("post_install", "-at_install")
class TestFollowupProcessAccess(FollowupCommon):
    """'Process' on chosen customers: managers any customers, a collector only theirs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # customer and customer_b are the collector's (FollowupCommon); this one is not.
        cls.foreign = cls._create_cl_partner("Comercial Ajena Ltda", "76086428-5")
        cls.foreign.with_company(cls.company).cobranza_collector_id = cls.manager
        for partner in cls.customer | cls.customer_b | cls.foreign:
            cls._invoice(partner, 1000, date(2026, 3, 9))

    def _process(self, partners, user):
        with freeze_time("2026-03-16 15:00:00"):
            action = partners.with_user(user).with_context(allowed_company_ids=self.company.ids)
            action = action.action_cobranza_process()
        return self.env["cobranza.followup.run"].browse(action["domain"][0][2])

    def test_manager_processes_any_customer(self):
        run = self._process(self.foreign | self.customer, self.manager)
        self.assertEqual((run.trigger, run.customer_count, run.error_count), ("partner", 2, 0))

    def test_collector_processes_own_customers(self):
        run = self._process(self.customer | self.customer_b, self.collector)
        self.assertEqual((run.trigger, run.customer_count, run.user_id), ("partner", 2, self.collector))

    def test_collector_refused_on_other_customers(self):
        with self.assertRaisesRegex(AccessError, "Comercial Ajena Ltda") as caught:
            self._process(self.customer | self.foreign, self.collector)
        self.assertNotIn(self.customer.name, str(caught.exception), "only the customers not theirs")
        unassigned = self._create_cl_partner("Sin Cobrador SpA", "77777777-7")
        with self.assertRaisesRegex(AccessError, "Sin Cobrador SpA"):
            self._process(unassigned, self.collector)
        with self.assertRaises(AccessError, msg="Run now on every customer stays for managers"):
            self._run(user=self.collector)
        self.assertFalse(self.env["cobranza.followup.run"].search([("company_id", "=", self.company.id)]))

    def test_plain_user_refused(self):
        with self.assertRaises(AccessError):
            self._process(self.customer, self.plain_user)
        self.assertFalse(self.env["cobranza.followup.run"].search([("company_id", "=", self.company.id)]))
