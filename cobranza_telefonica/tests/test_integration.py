from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .test_promise import PromiseCommon


@tagged("post_install", "-at_install")
class TestFeaturesTogether(PromiseCommon):
    """Promises, risk and the call queue feed each other."""

    def test_broken_promises_make_a_risky_customer_called_first(self):
        # Both customers owe 150,000 overdue and 200,000 not yet due: alike but for promises.
        other = self._create_cl_partner("Comercial Punto Fijo SpA", "76086428-5")
        self._invoice(other, 150000, self.TODAY - timedelta(days=20))
        for partner in (self.customer, other):
            self._invoice(partner, 200000, self.day(40))
        # Two promises of the customer break: nothing is paid by date + grace.
        self._promise({self.inv_a: 100000}, days=3)
        self._promise({self.inv_b: 50000}, days=4)
        self._cron(10)
        promises = self.Promise.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(set(promises.mapped("state")), {"broken"})
        with freeze_time(self.day(10)):
            self.env["res.partner"]._cron_cobranza_refresh_risk()
        self.assertEqual(self.customer.cobranza_risk_segment, "C")
        self.assertEqual(other.cobranza_risk_segment, "B")

        # The queue weighs the risk: same days overdue, same amount, the risky one first.
        other_activity = other.activity_schedule(
            "cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=self.day(10),
            user_id=self.collector.id,
        )
        customer_activity = self._call_activities()[:1]
        self.assertTrue(customer_activity, "the broken promises scheduled a call")
        with freeze_time(datetime.combine(self.day(10), datetime.min.time()) + timedelta(hours=14)):
            (customer_activity | other_activity).with_company(self.company)._cobranza_refresh_queue()
        self.assertGreater(customer_activity.cobranza_priority, other_activity.cobranza_priority)
