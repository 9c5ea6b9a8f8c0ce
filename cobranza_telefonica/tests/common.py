from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import pytz

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..models.res_partner import to_utc
from ..services import clock


class CobranzaCommon(AccountTestInvoicingCommon):
    """A Chilean company of its own (l10n_cl chart, CLP), customers with RUT, a collector and a
    manager, and helpers to make posted invoices, payments and credit notes with fixed dates."""

    TODAY = date(2026, 3, 16)  # a Monday

    @classmethod
    @AccountTestInvoicingCommon.setup_country("cl")
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.sale_journal = cls.company_data["default_journal_sale"]
        cls.doc_types = {
            doc.code: doc
            for doc in cls.env["l10n_latam.document.type"].search(
                [("country_id.code", "=", "CL"), ("code", "in", ("33", "34", "56", "61"))]
            )
        }
        cls.customer = cls._create_cl_partner("Ferretería Los Robles SpA", "76201224-3")
        cls.customer_b = cls._create_cl_partner("Juan Pérez Soto", "12533840-2", is_company=False)
        cls.collector = cls._create_user("test_collector", "cobranza_telefonica.group_cobranza_collector")
        cls.manager = cls._create_user(
            "test_collection_manager", "cobranza_telefonica.group_cobranza_manager"
        )
        cls.plain_user = cls._create_user("test_plain_user")

    @staticmethod
    def at_noon(day, tz="America/Santiago"):
        """12:00 of ``day`` in Santiago, as the UTC moment freezegun takes: a day frozen at
        midnight UTC is still the day before in Chile."""
        return to_utc(datetime.combine(day, time(12)), pytz.timezone(tz))

    @classmethod
    def _open_day(cls, company=None, days=3, start=None):
        """The first local day from ``start`` (default the real local today) that begins ``days``
        days in a row on which the company's guardrails allow calls (Monday to Saturday, no
        holiday): browser tours run near the real date, their server at a moment tests choose."""
        company = company or cls.company
        data = cls.env["cobranza.contact.gate"]._cobranza_data(company, cls.env["res.partner"], clock.now())
        rules = data["rules"]["person"]
        day = start or company._cobranza_local(clock.now()).date()

        def is_open(candidate):
            return candidate.weekday() in rules.weekdays and candidate not in data["holidays"]

        while not all(is_open(day + timedelta(days=offset)) for offset in range(days)):
            day += timedelta(days=1)
        return day

    @contextmanager
    def _clock_at(self, day, hour=10, company=None):
        """Set the module's clock (services.clock) to ``hour`` o'clock of the company's ``day``."""
        company = company or self.company
        moment = to_utc(datetime.combine(day, time(hour)), company._cobranza_tz())
        with clock.frozen_at(moment):
            yield moment

    @classmethod
    def _create_user(cls, login, group_xmlid=None, company=None):
        """An internal user of ``company`` (the test company by default) with one extra group."""
        company = company or cls.company
        groups = "base.group_user" + (f",{group_xmlid}" if group_xmlid else "")
        return new_test_user(
            cls.env,
            login=login,
            password=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    @classmethod
    def _create_cl_partner(cls, name, rut, is_company=True, **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": is_company,
                "country_id": cls.env.ref("base.cl").id,
                "l10n_latam_identification_type_id": cls.env.ref("l10n_cl.it_RUT").id,
                "vat": rut,
                "l10n_cl_sii_taxpayer_type": "1",
                "phone": "+56 2 2345 6789",
                "email": f"pagos@{rut[:8]}.cl",
                **vals,
            }
        )

    @classmethod
    def _invoice(
        cls, partner, amount, due, invoice_date=None, doc_code="33", post=True, move_type="out_invoice"
    ):
        """A customer document for ``amount`` CLP before tax (no tax: amounts stay exact)."""
        invoice_date = invoice_date or min(due, due - timedelta(days=30))
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "journal_id": cls.sale_journal.id,
                "l10n_latam_document_type_id": cls.doc_types[doc_code].id,
                "invoice_date": invoice_date,
                "invoice_date_due": due if move_type == "out_invoice" else invoice_date,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "Servicio", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoices, amount, pay_date):
        """Register a payment of ``amount`` on ``invoices`` dated ``pay_date``; return the payment."""
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"amount": amount, "payment_date": pay_date, "group_payment": True})
        )
        return wizard._create_payments()

    @classmethod
    def _credit_note(cls, invoice, amount, note_date):
        """A posted credit note (61) for ``amount`` reconciled with ``invoice``."""
        refund = cls._invoice(invoice.partner_id, amount, note_date, note_date, "61", move_type="out_refund")
        (invoice + refund).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        ).reconcile()
        return refund
