import base64
from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from . import sii_double
from .sii_certificate import make_pkcs12
from .test_dte_import import DteCommon

PASSWORD = "clave-de-prueba"


class SiiCommon(DteCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().write(
            {
                "cobranza_sii_sync": True,
                "cobranza_sii_certificate": base64.b64encode(make_pkcs12(PASSWORD.encode())),
                "cobranza_sii_certificate_password": PASSWORD,
                "cobranza_sii_claim_user_id": cls.manager.id,
            }
        )

    def setUp(self):
        super().setUp()
        self.sii = sii_double.SiiDouble(slow_seconds=11)
        self.sii.__enter__()
        self.addCleanup(self.sii.__exit__)
        from ..services import sii_client

        sii_client._tokens.clear()

    def _folio(
        self, folio, amount=100000, due=date(2026, 3, 1), invoice_date=date(2026, 2, 1), doc_code="33"
    ):
        move = self._invoice(self.customer, amount, due, invoice_date, doc_code=doc_code, post=False)
        move.name = f"{move.l10n_latam_document_type_id.doc_code_prefix} {folio:06d}"
        move.action_post()
        self.assertEqual(move._cobranza_dte_folio(), folio)
        return move

    def _sync(self):
        with freeze_time("2026-03-16 15:00:00"):
            return self.env["account.move"]._cron_cobranza_sii_sync(endpoints=self.sii.endpoints, timeout=1)


@tagged("post_install", "-at_install")
class TestSiiSync(SiiCommon):
    def test_states_dates_and_errors(self):
        accepted = self._folio(sii_double.ACCEPTED)
        claimed = self._folio(sii_double.CLAIMED)
        pending = self._folio(sii_double.NO_EVENTS)
        fault = self._folio(sii_double.FAULT)
        retry = self._folio(sii_double.RETRY)
        html = self._folio(sii_double.HTML)
        missing = self._folio(sii_double.NOT_FOUND)
        old = self._folio(200, due=date(2016, 12, 31), invoice_date=date(2016, 12, 1))
        # what was known before a failure stays
        fault.sudo().write({"cobranza_sii_acceptance": "accepted", "cobranza_sii_event": "ERM"})
        left = self._sync()
        self.assertEqual(left, 0)
        self.assertEqual(
            (accepted.cobranza_sii_acceptance, accepted.cobranza_sii_event, accepted.cobranza_sii_event_date),
            ("accepted", "ACD", date(2026, 2, 5)),
        )
        self.assertEqual(accepted.cobranza_sii_reception_date, datetime(2026, 2, 2, 13, 5))
        self.assertEqual(accepted.cobranza_executive_merit_date, date(2026, 2, 5), "the acceptance date")
        self.assertEqual(accepted.cobranza_sii_sync_date, datetime(2026, 3, 16, 15, 0))
        self.assertFalse(accepted.cobranza_sii_sync_error)
        self.assertEqual((claimed.cobranza_sii_acceptance, claimed.cobranza_sii_event), ("claimed", "RCD"))
        self.assertFalse(claimed.cobranza_executive_merit_date)
        todo = claimed.activity_ids
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.user_id, self.manager, "the person who handles claims")
        self.assertEqual(todo.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(pending.cobranza_sii_acceptance, "pending")
        self.assertEqual(pending.cobranza_executive_merit_date, date(2026, 2, 10), "reception + 8 days")
        self.assertEqual((fault.cobranza_sii_acceptance, fault.cobranza_sii_event), ("accepted", "ERM"))
        self.assertIn("NullPointer", fault.cobranza_sii_sync_error)
        self.assertEqual(fault.cobranza_sii_sync_attempts, 1)
        self.assertEqual(fault.cobranza_sii_next_sync, datetime(2026, 3, 16, 15, 30), "back-off: 30 min")
        self.assertFalse(retry.cobranza_sii_acceptance)
        self.assertIn("-1", retry.cobranza_sii_sync_error)
        self.assertTrue(html.cobranza_sii_sync_error)
        self.assertTrue(missing.cobranza_sii_sync_error)
        self.assertFalse(old.cobranza_sii_sync_date, "documents before 2017-01-14 are not asked for")
        self.assertFalse(old.cobranza_sii_sync_error)
        self.assertEqual(self.sii.calls.count("getToken"), 1, "one login for the whole batch")
        # running again at once asks nothing: read today, failures wait for their back-off
        calls = len(self.sii.calls)
        self._sync()
        self.assertEqual(len(self.sii.calls), calls)
        # a second failure doubles the wait
        with freeze_time("2026-03-16 16:00:00"):
            self.env["account.move"]._cron_cobranza_sii_sync(endpoints=self.sii.endpoints, timeout=1)
        self.assertEqual(fault.cobranza_sii_sync_attempts, 2)
        self.assertEqual(fault.cobranza_sii_next_sync, datetime(2026, 3, 16, 17, 0))

    def test_errors_in_the_company_language(self):
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        self.company.partner_id.lang = "es_419"
        html = self._folio(sii_double.HTML)
        retry = self._folio(sii_double.RETRY)
        self._sync()
        self.assertIn("página web", html.cobranza_sii_sync_error)
        self.assertIn("error interno", retry.cobranza_sii_sync_error)

    def test_claimed_invoice_leaves_the_followup(self):
        claimed = self._folio(sii_double.CLAIMED)
        accepted = self._folio(sii_double.ACCEPTED)
        self._sync()
        with freeze_time("2026-03-16 15:00:00"):
            run = self._run()
        self.assertEqual(run.excluded_by_reason, {"sii": 1})
        self.assertEqual((claimed.cobranza_excluded, claimed.cobranza_exclusion_reason), (True, "sii"))
        self.assertFalse(accepted.cobranza_excluded)

    def test_wrong_password_writes_nothing(self):
        move = self._folio(sii_double.ACCEPTED)
        self.company.sudo().cobranza_sii_certificate_password = "otra"
        with self.assertRaises(UserError) as caught:
            self.company.with_context(lang="en_US")._cobranza_sii_client()
        self.assertIn("password", caught.exception.args[0])
        self._sync()
        self.assertFalse(move.cobranza_sii_acceptance)
        self.assertFalse(self.sii.calls)

    def test_certificate_readable_by_managers_only(self):
        company = self.company.with_user(self.collector)
        with self.assertRaises(AccessError):
            company.read(["cobranza_sii_certificate_password"])
        with self.assertRaises(AccessError):
            company.read(["cobranza_sii_certificate"])
        self.assertTrue(self.company.with_user(self.manager).sudo(False).cobranza_sii_certificate_password)


@tagged("post_install", "-at_install")
class TestPreLegalMerit(SiiCommon):
    def test_pre_legal_only_with_executive_merit(self):
        no_merit = self._invoice(self.customer, 1000, date(2025, 12, 1), date(2025, 11, 1))
        merit = self._invoice(self.customer_b, 2000, date(2025, 12, 1), date(2025, 11, 1))
        merit.sudo().cobranza_sii_reception_date = datetime(2025, 11, 2, 10, 0)
        with freeze_time("2026-03-16 15:00:00"):
            self._run()
        self.assertEqual(merit.cobranza_level_id.day_offset, 90)
        self.assertTrue(merit.cobranza_level_id.pre_legal)
        self.assertEqual(
            no_merit.cobranza_level_id.day_offset, 60, "stays at the last level before pre-legal"
        )
        self.assertIn("executive merit", no_merit.with_context(lang="en_US").cobranza_postpone_reason)

    def test_warns_before_prescription(self):
        move = self._invoice(self.customer, 1000, date(2025, 4, 1), date(2025, 3, 1))
        move.sudo().cobranza_sii_reception_date = datetime(2025, 3, 2, 10, 0)
        with freeze_time("2026-03-16 15:00:00"):
            self._run()
        self.assertTrue(move.cobranza_level_id.pre_legal)
        self.assertEqual(move.cobranza_prescription_date, date(2026, 4, 1))
        self.assertIn("01-04-2026", move.cobranza_postpone_reason)

    def test_without_sii_sync_nothing_changes(self):
        self.company.sudo().cobranza_sii_sync = False
        move = self._invoice(self.customer, 1000, date(2025, 12, 1), date(2025, 11, 1))
        with freeze_time("2026-03-16 15:00:00"):
            self._run()
        self.assertTrue(move.cobranza_level_id.pre_legal)
