from datetime import datetime, time, timedelta

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL, format_amount

from ..models.res_partner import to_utc
from ..services import clock
from .common import CobranzaCommon


@tagged("post_install", "-at_install")
class TestReceivableFigure(CobranzaCommon):
    """One receivable figure: every screen's amounts for a customer of two companies, with
    instalments, a USD invoice, a partial payment and an unapplied credit note, agree to the peso
    with an independent computation over account_move_line and account_partial_reconcile; at
    noon and at 23:30 in Santiago (already the next day in UTC)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Distribuidora Sur SpA")["company"]
        cls.company_b.partner_id.tz = "America/Santiago"
        cls.company.partner_id.tz = "America/Santiago"
        cls.env.user.company_ids |= cls.company_b
        cls.collector.company_ids |= cls.company_b
        cls.usd = cls.setup_other_currency("USD", rates=[("2020-01-01", 1 / 950.0)])
        cls.manager.company_ids |= cls.company_b
        cls.day = cls.TODAY  # a Monday
        cls.half_term = cls.env["account.payment.term"].create(
            {
                "name": "50% a 30 días, 50% a 60 días",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        day = cls.day
        with clock.frozen_at(cls.at_noon(day)):
            # Company A: instalments (the first 15 days late, the second due in 15 days; Odoo's
            # invoice_date_due is the last one), a USD invoice 20 days late, a partial payment and
            # an unapplied credit note; an instalment due today, overdue from tomorrow only.
            cls.instalments = cls._invoice_in(cls.company, cls.customer, 100000, day - timedelta(days=45))
            cls.usd_invoice = cls._invoice_in(
                cls.company, cls.customer, 1000, day - timedelta(days=50), currency=cls.usd
            )
            cls.due_today = cls._invoice_in(cls.company, cls.customer, 40000, day, due=day)
            cls._pay(cls.instalments, 20000, day - timedelta(days=2))
            cls.unapplied = cls._invoice_in(
                cls.company, cls.customer, 30000, day - timedelta(days=3), move_type="out_refund"
            )
            # Company B: the same customer owes 70,000 for 10 days.
            cls.b_invoice = cls._invoice_in(cls.company_b, cls.customer, 70000, day - timedelta(days=40))
            # A customer whose unapplied credit note settles its overdue invoice (Deco Addict).
            cls.covered = cls._create_cl_partner("Comercial Cubierta Ltda", "77345120-6")
            cls.covered_invoice = cls._invoice_in(
                cls.company, cls.covered, 31750, day - timedelta(days=60), due=day - timedelta(days=30)
            )
            cls._invoice_in(cls.company, cls.covered, 31750, day - timedelta(days=1), move_type="out_refund")

    @classmethod
    def _invoice_in(
        cls, company, partner, amount, invoice_date, due=None, currency=None, move_type="out_invoice"
    ):
        journal = cls.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        vals = {
            "move_type": move_type,
            "partner_id": partner.id,
            "company_id": company.id,
            "journal_id": journal.id,
            "currency_id": (currency or company.currency_id).id,
            "l10n_latam_document_type_id": cls.doc_types["61" if move_type == "out_refund" else "33"].id,
            "invoice_date": invoice_date,
            "invoice_line_ids": [
                Command.create({"name": "Servicio", "quantity": 1, "price_unit": amount, "tax_ids": []})
            ],
        }
        if move_type == "out_invoice" and due:
            vals.update(invoice_date_due=due, invoice_payment_term_id=False)
        elif move_type == "out_invoice":
            vals["invoice_payment_term_id"] = cls.half_term.id
        move = cls.env["account.move"].with_company(company).create(vals)
        move.action_post()
        return move

    # The independent computation -----------------------------------------------------------------

    def _expected(self, company, partner, today):
        """(balance, overdue, credit, oldest overdue due date, {currency: balance},
        {move id: (oldest open due date, residual in the document's currency)}) straight from the
        journal items and the reconciliations, without the module's view."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT aml.move_id, aml.currency_id,
                       aml.balance - COALESCE((SELECT SUM(p.amount) FROM account_partial_reconcile p
                                                WHERE p.debit_move_id = aml.id), 0)
                                   + COALESCE((SELECT SUM(p.amount) FROM account_partial_reconcile p
                                                WHERE p.credit_move_id = aml.id), 0),
                       aml.amount_currency - COALESCE((SELECT SUM(p.debit_amount_currency)
                                                         FROM account_partial_reconcile p
                                                        WHERE p.debit_move_id = aml.id), 0)
                                           + COALESCE((SELECT SUM(p.credit_amount_currency)
                                                         FROM account_partial_reconcile p
                                                        WHERE p.credit_move_id = aml.id), 0),
                       COALESCE(aml.date_maturity, aml.date)
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE acc.account_type = 'asset_receivable' AND am.state = 'posted'
                   AND aml.company_id = %s AND am.commercial_partner_id = %s
                """,
                company.id,
                partner.id,
            )
        )
        balance = overdue = credit = 0.0
        oldest, per_currency, per_move = None, {}, {}
        for move_id, currency_id, residual, residual_currency, due in self.env.cr.fetchall():
            if not residual:
                continue
            move_due, move_residual = per_move.get(move_id, (due, 0.0))
            per_move[move_id] = (min(move_due, due), move_residual + residual_currency)
            balance += residual
            per_currency[currency_id] = per_currency.get(currency_id, 0.0) + residual_currency
            if residual < 0:
                credit += residual
            elif due < today:
                overdue += residual
                oldest = min(oldest or due, due)
        return balance, overdue, credit, oldest, per_currency, per_move

    # The screens -----------------------------------------------------------------------------------

    def _screens(self, company, partner):
        """Every screen's (balance, overdue, credit) of ``partner`` in ``company``."""
        env = self.env(context=dict(self.env.context, allowed_company_ids=[company.id]))
        partner = partner.with_env(env)
        figure = env["cobranza.receivable"]._cobranza_figure(partner, company)
        aging = env["cobranza.aging.report"]._read_group(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
            aggregates=["residual:sum", "amount_overdue:sum", "amount_credit:sum"],
        )[0]
        partner.invalidate_recordset()
        form = (partner.cobranza_amount_due, partner.cobranza_amount_overdue, partner.cobranza_amount_credit)
        statement = env["report.cobranza_telefonica.report_customer_statement"]._statement_values(partner)
        listed = partner.search_read(
            [("id", "=", partner.id)],
            ["cobranza_amount_due", "cobranza_amount_overdue", "cobranza_amount_credit"],
        )[0]
        call_figure = partner._cobranza_call_context(company=company)["figure"]
        return {
            "figure": (figure.balance, figure.overdue, figure.credit),
            "aging": tuple(aging),
            "form": form,
            "list": (
                listed["cobranza_amount_due"],
                listed["cobranza_amount_overdue"],
                listed["cobranza_amount_credit"],
            ),
            "statement": (statement["total"], statement["overdue"], statement["credit"]),
            "call screen": (call_figure.balance, call_figure.overdue, call_figure.credit),
        }

    def _check_printed(self, company, today, balance, overdue, credit, per_move):
        """What is printed or downloaded: the call screen's text, the XLSX's row, the risk share,
        the letter's days overdue and the e-mail's amounts, against the independent figures."""
        env = self.env(context=dict(self.env.context, allowed_company_ids=[company.id]))
        partner = self.customer.with_env(env)
        money = company.currency_id

        def fmt(amount, currency=money):
            return format_amount(env, amount, currency)

        values = partner._cobranza_call_context(company=company)
        html = str(env["ir.qweb"]._render("cobranza_telefonica.call_context", values))
        self.assertIn(f"Total due: </strong>{fmt(balance)}", html)
        self.assertIn(f"Overdue: </strong>{fmt(overdue)}", html)
        if credit:
            self.assertIn(f"unapplied payments or credit notes for {fmt(-credit)}", html)
        rows = [row for row in env["cobranza.aging.xlsx"]._by_customer_rows() if row[0] == partner]
        self.assertEqual([(row[1], money.round(row[4])) for row in rows], [(company, money.round(balance))])
        ratio = env["res.partner"]._cobranza_risk_values(company, [partner.id])[partner.id][1]
        self.assertAlmostEqual(ratio, max(0.0, min(overdue, balance)) / balance if balance > 0 else 0.0)
        template = env.ref("cobranza_telefonica.mail_template_cobranza_overdue")
        for move in (
            env["account.move"].browse(list(per_move)).filtered(lambda m: m.move_type == "out_invoice")
        ):
            move_due, move_residual = per_move[move.id]
            with self.subTest(company=company.name, move=move.name):
                # The letter: days from the oldest open instalment.
                self.assertEqual(move.cobranza_days_overdue, (today - move_due).days)
                # The e-mail: the invoice's own residual in its own currency.
                body = str(template._render_field("body_html", move.ids)[move.id])
                self.assertIn(f"{fmt(move_residual, move.currency_id)}, due", body)

    def _check_all(self, today):
        for company in (self.company, self.company_b):
            balance, overdue, credit, oldest, per_currency, per_move = self._expected(
                company, self.customer, today
            )
            expected = (balance, overdue, credit)
            self._check_printed(company, today, balance, overdue, credit, per_move)
            for screen, figures in self._screens(company, self.customer).items():
                with self.subTest(company=company.name, screen=screen):
                    self.assertEqual(
                        tuple(company.currency_id.round(amount) for amount in figures),
                        tuple(company.currency_id.round(amount) for amount in expected),
                    )
            figure = self.env["cobranza.receivable"]._cobranza_figure(self.customer, company)
            self.assertEqual(figure.oldest_overdue, oldest)
            for currency_id, amount in per_currency.items():
                currency = self.env["res.currency"].browse(currency_id)
                self.assertEqual(
                    currency.round(figure.currencies[currency_id].balance), currency.round(amount)
                )
            # The queue, the script and the call screen of this company say the same.
            activity = self._call_activity(company)
            activity.with_company(company)._cobranza_refresh_queue()
            self.assertEqual(activity.cobranza_company_id, company)
            self.assertEqual(activity.cobranza_amount_due, company.currency_id.round(balance))
            self.assertEqual(
                activity.cobranza_amount_overdue, company.currency_id.round(max(0, min(overdue, balance)))
            )
            self.assertEqual(activity.cobranza_days_overdue, (today - oldest).days if oldest else 0)
            values = self.customer.with_company(company)._cobranza_script_values(company=company)
            self.assertEqual(values["total_due"], format_amount(self.env, balance, company.currency_id))
            self.assertEqual(
                values["total_overdue"],
                format_amount(self.env, max(0, min(overdue, balance)), company.currency_id),
            )
            self.assertEqual(values["days_overdue"], str((today - oldest).days if oldest else 0))
        return True

    def _call_activity(self, company):
        Activity = self.env["mail.activity"].sudo()
        activity = Activity.search(
            [("cobranza_partner_id", "=", self.customer.id), ("cobranza_company_id", "=", company.id)]
        )
        return activity or Activity.create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.customer.id,
                "activity_type_id": self.env.ref("cobranza_telefonica.mail_activity_type_cobranza_call").id,
                "user_id": self.collector.id,
                "date_deadline": self.day,
                "cobranza_company_id": company.id,
            }
        )

    def test_every_screen_agrees_at_noon(self):
        with clock.frozen_at(self.at_noon(self.day)):
            today = self.company._cobranza_today()
            self.assertEqual(today, self.day)
            self._check_all(today)
            figure = self.env["cobranza.receivable"]._cobranza_figure(self.customer, self.company)
            # By hand: 100,000 in two instalments of 50,000 (the first 15 days late, 20,000 paid
            # on it), 950,000 (1,000 USD in two instalments, the first 20 days late), 40,000 due
            # today, -30,000 credit note.
            self.assertEqual(figure.overdue, 30000 + 475000)
            self.assertEqual(figure.credit, -30000)
            self.assertEqual(figure.balance, 30000 + 50000 + 950000 + 40000 - 30000)
            self.assertEqual(figure.currencies[self.usd.id].balance, 1000)
            self.assertEqual(figure.oldest_overdue, self.day - timedelta(days=20))

    def test_every_screen_agrees_at_half_past_eleven(self):
        """At 23:30 in Santiago it is already tomorrow in UTC (and for the database's
        CURRENT_DATE): the invoice due today is not overdue yet, on every screen."""
        moment = to_utc(datetime.combine(self.day, time(23, 30)), self.company._cobranza_tz())
        self.assertNotEqual(moment.date(), self.day)
        with clock.frozen_at(moment):
            today = self.company._cobranza_today()
            self.assertEqual(today, self.day)
            self._check_all(today)
            line = self.env["cobranza.aging.report"].search([("move_id", "=", self.due_today.id)])
            self.assertEqual((line.days_overdue, line.bucket, line.amount_overdue), (0, "not_due", 0))
        with clock.frozen_at(moment + timedelta(hours=1)):  # 00:30 the next day in Santiago
            line = self.env["cobranza.aging.report"].search([("move_id", "=", self.due_today.id)])
            self.assertEqual((line.days_overdue, line.bucket, line.amount_overdue), (1, "1_30", 40000))
            self._check_all(self.day + timedelta(days=1))

    def test_credit_covered_customer_is_never_dunned(self):
        """Deco Addict's case: an overdue invoice settled by an unapplied credit note: balance 0,
        no e-mail, no call, the invoice excluded as settled by credits; the call screen warns."""
        with clock.frozen_at(self.at_noon(self.day)):
            figure = self.env["cobranza.receivable"]._cobranza_figure(self.covered, self.company)
            self.assertEqual((figure.balance, figure.overdue, figure.credit), (0, 31750, -31750))
            self.assertFalse(figure.dunnable)
            self.env["cobranza.followup.run"].with_user(self.manager)._cobranza_run_manual(
                partners=self.covered
            )
            self.assertEqual(self.covered_invoice.cobranza_exclusion_reason, "credit")
            self.assertTrue(self.covered_invoice.cobranza_excluded)
            self.assertFalse(
                self.env["mail.activity"].search([("cobranza_partner_id", "=", self.covered.id)])
            )
            self.assertFalse(self.env["cobranza.contact"].search([("partner_id", "=", self.covered.id)]))
            html = self.env["ir.qweb"]._render(
                "cobranza_telefonica.call_context", self.covered._cobranza_call_context(company=self.company)
            )
            self.assertIn("o_cobranza_credit_warning", html)

    def test_two_companies_keep_their_own_call(self):
        """Company B's run never rewrites company A's call: one call per customer and company,
        each with its own invoices."""
        with clock.frozen_at(self.at_noon(self.day)):
            Run = self.env["cobranza.followup.run"]
            Run = Run.with_user(self.manager)
            Run.with_context(allowed_company_ids=[self.company.id])._cobranza_run_manual(
                partners=self.customer
            )
            call_a = self.env["mail.activity"].search(
                [("cobranza_partner_id", "=", self.customer.id), ("cobranza_is_call", "=", True)]
            )
            self.assertEqual(call_a.cobranza_company_id, self.company)
            note_a = call_a.note
            Run.with_context(allowed_company_ids=[self.company_b.id])._cobranza_run_manual(
                partners=self.customer
            )
            calls = self.env["mail.activity"].search(
                [("cobranza_partner_id", "=", self.customer.id), ("cobranza_is_call", "=", True)]
            )
            self.assertEqual(len(calls), 2)
            self.assertEqual(calls.cobranza_company_id, self.company | self.company_b)
            self.assertEqual(call_a.note, note_a)
            call_b = calls - call_a
            # A's call is about its three invoices (two named, "and 1 more"), B's about its one.
            self.assertIn("1 more", call_a.summary)
            self.assertNotIn("more", call_b.summary)
            self.assertEqual(str(call_a.note).count("<li>"), 3)
            self.assertEqual(str(call_b.note).count("<li>"), 1)
            # Each company's queue lists its own call only.
            Activity = self.env["mail.activity"]
            queue_a = Activity.with_context(allowed_company_ids=[self.company.id]).search(
                Activity.with_context(allowed_company_ids=[self.company.id])._cobranza_queue_domain()
                + [("cobranza_partner_id", "=", self.customer.id)]
            )
            self.assertEqual(queue_a, call_a)
