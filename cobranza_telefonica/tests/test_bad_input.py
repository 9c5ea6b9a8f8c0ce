from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..services import clock
from .common import CobranzaCommon

BAD_AMOUNTS = (float("nan"), float("inf"), float("-inf"), 1e308, "abc")


@tagged("post_install", "-at_install")
class TestBadInput(CobranzaCommon):
    """What a user (or the web client's RPC) may send: clear errors in Spanish, nothing saved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.overdue = cls._invoice(cls.customer, 100000, cls.TODAY - timedelta(days=20))  # 20 days late
        cls.late_b = cls._invoice(cls.customer_b, 30000, cls.TODAY - timedelta(days=5))  # 5 days late
        cls.not_due = cls._invoice(cls.customer_b, 20000, cls.TODAY + timedelta(days=10))
        cls.other = cls._create_cl_partner("Sin Deuda Ltda", "77777777-7")
        cls.Promise = cls.env["cobranza.promise"].with_user(cls.collector)
        cls.Plan = cls.env["cobranza.payment.plan"].with_user(cls.collector)

    def setUp(self):
        super().setUp()
        self.enterContext(clock.frozen_at(datetime(2026, 3, 16, 15, 0)))
        self.partners = self.customer | self.customer_b | self.other

    def _with_spanish(self):
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        return self.env(context=dict(self.env.context, lang="es_419"))

    # ------------------------------------------------------------- searches on computed numbers

    def _partners(self, operator, value):
        return self.env["res.partner"].search(
            [("id", "in", self.partners.ids), ("cobranza_amount_overdue", operator, value)]
        )

    def test_search_amount_overdue_operators(self):
        customer, customer_b, other = self.customer, self.customer_b, self.other
        self.assertEqual(self._partners(">", 50000), customer)
        self.assertEqual(self._partners(">", "50000"), customer, "numeric strings are numbers")
        self.assertEqual(self._partners("=", 30000.0), customer_b)
        self.assertEqual(self._partners("!=", 30000), customer | other)
        self.assertEqual(self._partners("!=", 0), customer | customer_b)
        self.assertEqual(self._partners("in", [100000, 30000]), customer | customer_b)
        self.assertEqual(self._partners("in", [0, "30000"]), customer_b | other)
        self.assertEqual(self._partners("not in", [100000]), customer_b | other)
        self.assertEqual(self._partners("not in", [0]), customer | customer_b)
        self.assertEqual(self._partners("=", False), other, "False/None: nothing overdue")
        self.assertEqual(self._partners("!=", False), customer | customer_b)
        self.assertEqual(self._partners("<=", None), other)

    def test_search_amount_overdue_refused(self):
        for operator, value in (("=", "abc"), (">", "1e999"), ("in", [1, "x"]), ("<", [1, 2]), ("=", True)):
            with (
                self.subTest(operator=operator, value=value),
                self.assertRaisesRegex(UserError, "not a number"),
                self.env.cr.savepoint(),
            ):
                self._partners(operator, value)
        with self.assertRaisesRegex(UserError, "operator"), self.env.cr.savepoint():
            self._partners("ilike", "10")
        env = self._with_spanish()
        with self.assertRaisesRegex(UserError, "no es un número"), self.env.cr.savepoint():
            env["res.partner"].search([("cobranza_amount_overdue", ">", "abc")])

    def _moves(self, operator, value):
        invoices = self.overdue | self.late_b | self.not_due
        return self.env["account.move"].search(
            [("id", "in", invoices.ids), ("cobranza_days_overdue", operator, value)]
        )

    def test_search_days_overdue_operators(self):
        overdue, late_b, not_due = self.overdue, self.late_b, self.not_due
        self.assertEqual((overdue | late_b | not_due).mapped("cobranza_days_overdue"), [20, 5, -10])
        self.assertEqual(self._moves(">", 0), overdue | late_b)
        self.assertEqual(self._moves(">", "10"), overdue)
        self.assertEqual(self._moves("=", 5), late_b)
        self.assertEqual(self._moves("!=", 5), overdue | not_due)
        self.assertEqual(self._moves("in", [20, -10]), overdue | not_due)
        self.assertEqual(self._moves("in", ["5", 7]), late_b)
        self.assertEqual(self._moves("not in", [20]), late_b | not_due)
        self.assertEqual(self._moves("=", 5.5), self.env["account.move"], "days are whole")
        self.assertEqual(self._moves(">", 4.5), overdue | late_b)
        self.assertEqual(self._moves("<", 5.5), late_b | not_due)
        self.assertEqual(self._moves("<=", False), not_due, "False counts as 0")
        self.assertEqual(self._moves(">", 10**12), self.env["account.move"], "absurd days, no error")
        self.assertEqual(self._moves("<", 10**12), overdue | late_b | not_due)

    def test_search_days_overdue_refused(self):
        for operator, value in (("=", "abc"), ("in", ["x"]), (">", float("nan"))):
            with (
                self.subTest(operator=operator, value=value),
                self.assertRaisesRegex(UserError, "not a number"),
                self.env.cr.savepoint(),
            ):
                self._moves(operator, value)
        with self.assertRaisesRegex(UserError, "operator"), self.env.cr.savepoint():
            self._moves("like", 3)

    # ------------------------------------------------------------------------- amounts

    def _promise_vals(self, amount, **vals):
        return {
            "partner_id": self.customer.id,
            "date": self.TODAY + timedelta(days=7),
            "line_ids": [Command.create({"move_id": self.overdue.id, "amount": amount})],
            **vals,
        }

    def test_promise_line_amount_refused(self):
        promise = self.Promise.create(self._promise_vals(1000))
        counts = (self.Promise.search_count([]), self.env["cobranza.promise.line"].search_count([]))
        for amount in BAD_AMOUNTS:
            with self.subTest(amount=amount):
                with self.assertRaisesRegex(ValidationError, "finite number"), self.env.cr.savepoint():
                    self.Promise.create(self._promise_vals(amount))
                with self.assertRaisesRegex(ValidationError, "finite number"), self.env.cr.savepoint():
                    promise.line_ids.write({"amount": amount})
                with self.assertRaisesRegex(ValidationError, "finite number"), self.env.cr.savepoint():
                    promise.write({"line_ids": [Command.update(promise.line_ids.id, {"amount": amount})]})
                self.assertEqual(
                    (self.Promise.search_count([]), self.env["cobranza.promise.line"].search_count([])),
                    counts,
                )
                self.assertEqual(promise.amount, 1000)
        promise.line_ids.amount = "2000"  # a numeric string still works
        self.assertEqual(promise.amount, 2000)
        env = self._with_spanish()
        with (
            self.assertRaisesRegex(ValidationError, "El monto debe ser un número finito"),
            self.env.cr.savepoint(),
        ):
            promise.with_env(env).line_ids.amount = float("nan")

    def test_plan_amount_refused(self):
        plan = self.Plan.create({"partner_id": self.customer.id, "move_ids": [Command.set(self.overdue.ids)]})
        count = self.Plan.search_count([])
        for amount in BAD_AMOUNTS:
            with self.subTest(amount=amount):
                with self.assertRaisesRegex(ValidationError, "finite number"), self.env.cr.savepoint():
                    self.Plan.create({"partner_id": self.customer.id, "amount_total": amount})
                with self.assertRaisesRegex(ValidationError, "finite number"), self.env.cr.savepoint():
                    plan.amount_total = amount
                self.assertEqual(self.Plan.search_count([]), count)
                self.assertEqual(plan.amount_total, 0)
        plan.amount_total = 60000
        plan.action_generate()
        self.assertEqual(sum(plan.promise_ids.mapped("amount")), 60000)

    # --------------------------------------------------------------------------- NUL

    def test_nul_stripped_from_notes(self):
        promise = self.Promise.create(self._promise_vals(1000, note="Paga\x00 el lunes"))
        self.assertEqual(promise.note, "Paga el lunes")
        promise.write({"note": "\x00Llamar\x00 antes"})
        self.assertEqual(promise.note, "Llamar antes")
        plan = self.Plan.create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.overdue.ids)],
                "note": "3\x00 cuotas",
            }
        )
        self.assertEqual(plan.note, "3 cuotas")
        plan.note = "Cuotas\x00 mensuales"
        plan.instalment_count = 2
        plan.action_generate()
        self.env.flush_all()  # the database takes it
        self.assertEqual(plan.note, "Cuotas mensuales")
        self.assertEqual(set(plan.promise_ids.mapped("note")), {"Cuotas mensuales"})

    # ------------------------------------------------------------------------ disputes

    def test_dispute_only_on_customer_invoices(self):
        debit_note = self._invoice(self.customer, 5000, self.TODAY, doc_code="56")
        debit_note.cobranza_dispute = True
        self.overdue.write({"cobranza_dispute": True, "cobranza_dispute_reason": "Monto mal facturado"})
        self.assertTrue(self.overdue.cobranza_dispute)
        refund = self._invoice(self.customer, 3000, self.TODAY, self.TODAY, "61", move_type="out_refund")
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.customer.id,
                "invoice_date": self.TODAY,
                "invoice_line_ids": [
                    Command.create({"name": "Insumos", "quantity": 1, "price_unit": 7000, "tax_ids": []})
                ],
            }
        )
        for move in (refund, bill):
            with self.subTest(move_type=move.move_type):
                with self.assertRaisesRegex(ValidationError, "cannot be disputed"), self.env.cr.savepoint():
                    move.write({"cobranza_dispute": True, "cobranza_dispute_reason": "No corresponde"})
                self.assertEqual((move.cobranza_dispute, move.cobranza_dispute_reason), (False, False))
        with self.assertRaisesRegex(ValidationError, "cannot be disputed"), self.env.cr.savepoint():
            self.env["account.move"].create({"move_type": "entry", "cobranza_dispute": True})
