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
        with freeze_time(self.at_noon(self.day(10))):
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

    def test_dashboard_counts_calls_and_promises(self):
        other = self._create_cl_partner("Comercial Punto Fijo SpA", "76086428-5")
        other_invoice = self._invoice(other, 80000, self.TODAY - timedelta(days=20))
        Call = self.env["cobranza.call"].sudo()  # calls made earlier, as only the module records them
        call_vals = {"company_id": self.company.id, "user_id": self.collector.id}
        Call.create(
            [
                # Monday of the dashboard's week: the debtor answers and then pays 30,000.
                {
                    **call_vals,
                    "partner_id": self.customer.id,
                    "contact_result": "debtor",
                    "date_start": datetime(2026, 3, 16, 15, 0),
                },
                {
                    **call_vals,
                    "partner_id": other.id,
                    "contact_result": "no_answer",
                    "date_start": datetime(2026, 3, 17, 15, 0),
                },
                # Last week: not counted in this week's calls, counted in the 30-day contact rate.
                {
                    **call_vals,
                    "partner_id": other.id,
                    "contact_result": "busy",
                    "date_start": datetime(2026, 3, 10, 15, 0),
                },
            ]
        )
        self._promise({self.inv_a: 40000}, days=5)
        self._pay(self.inv_b, 30000, self.day(3))  # 3 days after the call that reached the debtor
        self._pay(other_invoice, 20000, self.day(3))  # nobody reached this customer
        board = self.env["cobranza.dashboard"].create({"company_id": self.company.id, "date": self.day(3)})
        self.assertEqual(board.calls_today, 0)
        self.assertEqual(board.calls_week, 2)
        self.assertAlmostEqual(board.contact_rate, 100.0 / 3, places=1)
        self.assertEqual(board.amount_collected_after_call, 30000)
        self.assertEqual(board.promises_open_count, 1)
        self.assertEqual(board.promise_kept_ratio, 0.0)
        action = board.action_open_calls_per_collector()
        self.assertEqual(self.env["cobranza.call"].search_count(action["domain"]), 2)

    def test_second_call_in_a_week_to_a_person_is_blocked_in_the_queue(self):
        """Ley 21.320: one call a week to a natural person; the queue shows why and until when."""
        monday_noon = datetime(2026, 3, 16, 15, 0)  # 12:00 in Santiago
        activity = self.customer_b.activity_schedule(
            "cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=self.TODAY,
            user_id=self.collector.id,
        )
        with freeze_time(monday_noon):
            activity.with_company(self.company)._cobranza_refresh_queue()
            self.assertEqual(activity.cobranza_queue_state, "today")
            self.customer_b.with_company(self.company)._cobranza_log_contact("call", when=monday_noon)
            activity.with_company(self.company)._cobranza_refresh_queue()
        self.assertEqual(activity.cobranza_queue_state, "blocked")
        self.assertEqual(activity.cobranza_blocked_reason, "Weekly limit of calls or visits reached")
        self.assertGreaterEqual(activity.cobranza_next_allowed, datetime(2026, 3, 23, 11, 0))


@tagged("post_install", "-at_install")
class TestAgingGroupOrder(PromiseCommon):
    def test_customers_grouped_in_name_order(self):
        """The aging grouped by customer comes in the partners' name order (its own ordering
        code avoids joining the partner on every line), both ways, with limit and offset."""
        names = ("Zeta Ltda.", "Alfa SpA", "Medio SpA")
        partners = self.env["res.partner"]
        for name, rut in zip(names, ("77123456-9", "77234567-4", "77345678-K"), strict=True):
            partner = self._create_cl_partner(name, rut)
            self._invoice(partner, 1000 * (len(partners) + 1), self.TODAY)
            partners |= partner
        Aging = self.env["cobranza.aging.report"]
        domain = [("partner_id", "in", partners.ids)]
        self.assertEqual(Aging.search(domain).partner_id, partners)

        def order(**kwargs):
            groups = Aging.read_group(domain, ["residual:sum"], ["partner_id"], **kwargs)
            return [group["partner_id"][1] for group in groups]

        self.assertEqual(order(), ["Alfa SpA", "Medio SpA", "Zeta Ltda."])
        self.assertEqual(order(orderby="partner_id desc"), ["Zeta Ltda.", "Medio SpA", "Alfa SpA"])
        self.assertEqual(order(orderby="partner_id", limit=1, offset=1), ["Medio SpA"])
        sums = {
            g["partner_id"][1]: g["residual"]
            for g in Aging.read_group(domain, ["residual:sum"], ["partner_id"])
        }
        self.assertEqual(sums, {"Zeta Ltda.": 1000, "Alfa SpA": 2000, "Medio SpA": 3000})
