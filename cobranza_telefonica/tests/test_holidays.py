from datetime import date, datetime

from odoo.tests import tagged

from ..models.cobranza_holiday import CL_STATE_SUBDIVISIONS
from .common import CobranzaCommon


@tagged("post_install", "-at_install")
class TestHolidays(CobranzaCommon):
    """Chile's public holidays come from the holidays package (national and of the company's
    region); a company adds its own days. Times are UTC: 11:00 in Santiago is 14:00 UTC in
    summer time (October), 15:00 UTC in winter (June)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.company.state_id = False

    def _check(self, when, company=None):
        company = company or self.company
        return self.customer.with_company(company)._cobranza_contact_check("call", when=when, company=company)

    def assertHoliday(self, decision, msg=None):
        self.assertFalse(decision["allowed"], msg)
        self.assertEqual(
            decision["reason"], self.env["res.partner"]._cobranza_guardrail_reason_label("holiday"), msg
        )

    def test_national_holidays(self):
        reformation = self._check(datetime(2026, 10, 31, 14, 0))  # Saturday, Iglesias Evangélicas
        self.assertHoliday(reformation)
        self.assertEqual(
            reformation["next_allowed"],
            datetime(2026, 11, 2, 11, 0),
            "Sunday 1 November (Todos los Santos) is no contact day either: Monday 08:00",
        )
        self.assertHoliday(self._check(datetime(2027, 6, 21, 15, 0)), "Pueblos Indígenas 2027")
        self.assertTrue(self._check(datetime(2026, 10, 30, 14, 0))["allowed"], "an ordinary Friday")
        self.assertFalse(self.env["cobranza.holiday"].search([("company_id", "=", self.company.id)]))

    def test_company_extra_day(self):
        self.assertTrue(self._check(datetime(2026, 10, 29, 14, 0))["allowed"])
        self.env["cobranza.holiday"].create(
            {"company_id": self.company.id, "date": date(2026, 10, 29), "name": "Aniversario de la empresa"}
        )
        self.assertHoliday(self._check(datetime(2026, 10, 29, 14, 0)))
        other = self.setup_other_company(name="Otra Empresa SpA")["company"]
        other.partner_id.tz = "America/Santiago"
        self.assertTrue(
            self._check(datetime(2026, 10, 29, 14, 0), company=other)["allowed"],
            "an extra day is its company's only",
        )

    def test_regional_holidays(self):
        arica = self.env.ref("base.state_cl_15")
        nuble = self.env.ref("base.state_cl_16")
        self.assertEqual(CL_STATE_SUBDIVISIONS[arica.code], "AP")
        self.assertEqual(CL_STATE_SUBDIVISIONS[nuble.code], "NB")
        morro = datetime(2027, 6, 7, 15, 0)  # Monday: Asalto y Toma del Morro de Arica
        chillan = datetime(2026, 8, 20, 15, 0)  # Thursday: birth of O'Higgins (Ñuble)
        self.assertTrue(self._check(morro)["allowed"], "not a holiday outside Arica y Parinacota")
        self.company.state_id = arica
        self.assertHoliday(self._check(morro))
        self.assertTrue(self._check(chillan)["allowed"])
        self.company.state_id = nuble
        self.assertTrue(self._check(morro)["allowed"])
        self.assertHoliday(self._check(chillan))
        self.company.state_id = self.env.ref("base.state_cl_13")
        self.assertTrue(self._check(morro)["allowed"])
        self.assertTrue(self._check(chillan)["allowed"])
        self.assertHoliday(self._check(datetime(2026, 10, 31, 14, 0)), "national holidays still apply")

    def test_years_ahead(self):
        """The window looked at reaches two years ahead: the holidays of those years are known."""
        self.assertEqual(
            self.env["cobranza.holiday"]._cobranza_days_off(self.company, [2028]) >= {date(2028, 9, 18)},
            True,
        )
        late = self._check(datetime(2026, 12, 31, 23, 30))  # 20:30 local: after hours
        self.assertEqual(late["next_allowed"], datetime(2027, 1, 2, 11, 0), "1 January is a holiday")
