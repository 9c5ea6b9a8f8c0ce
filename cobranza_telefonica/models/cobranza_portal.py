import dataclasses
from datetime import datetime, timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date, format_datetime
from odoo.tools.mimetypes import guess_mimetype

from ..services import guardrails, validation
from ..services import promise as promise_service
from ..services.aging import BUCKETS
from .account_move_portal import DISPUTE_KINDS
from .mail_activity import CALL_TYPE_XMLID
from .res_partner import to_local, to_utc

COMMENT_MAX_LENGTH = 2000
# A file the customer attaches to a dispute: a PDF or an image of at most 5 MB.
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_MIMETYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")
ATTACHMENT_NAME_MAX_LENGTH = 200
# A customer asks to be called at most this many days ahead.
CALL_HORIZON_DAYS = 30
# The slots offered on the page: every half hour; the server checks the company's hours.
CALL_SLOTS = [f"{hour:02d}:{minute:02d}" for hour in range(7, 22) for minute in (0, 30)]


class CobranzaPortal(models.AbstractModel):
    """What a customer sees and does on its collection page: the one place that reads its
    figures for the page and decides its promises, disputes and call requests, each validated
    here (the controller only passes what was posted), logged as an inbound contact and posted
    in the customer's chatter. Called with a superuser environment scoped to one customer."""

    _name = "cobranza.portal"
    _description = "Collection page of a customer"

    # ------------------------------------------------------------------
    # What the page shows
    # ------------------------------------------------------------------

    @api.model
    def _cobranza_companies(self, partner):
        """The companies this customer owes something to (or has an unapplied credit with)."""
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        figures = self.env["cobranza.receivable"]._cobranza_figures(companies, partner)
        return companies.filtered(lambda company: (partner.id, company.id) in figures)

    @api.model
    def _cobranza_page_values(self, partner):
        """The values of the page: per company, its open documents instalment by instalment,
        the receivable figure, the totals by aging bucket and the open promises."""
        partner = partner.commercial_partner_id
        Receivable = self.env["cobranza.receivable"]
        labels = dict(self.env["cobranza.aging.report"]._fields["bucket"]._description_selection(self.env))
        sections = []
        for company in self._cobranza_companies(partner):
            moves = partner._cobranza_open_invoices(company)
            moves._cobranza_ensure_access_tokens()  # the PDF links, in one UPDATE
            instalments = Receivable._cobranza_instalments(moves)
            rows = []
            for move in moves:
                for due, residual_currency, _residual, days in instalments.get(move.id, []):
                    rows.append(
                        {
                            "move": move,
                            "doc_type": move.l10n_latam_document_type_id.name or "",
                            "folio": move.l10n_latam_document_number or move.name,
                            "due": due,
                            "days_overdue": max(days, 0),
                            "amount": residual_currency,
                            "currency": move.currency_id,
                            "pdf_url": move.get_portal_url(report_type="pdf", download=True),
                            "disputed": move.cobranza_dispute,
                        }
                    )
            buckets = Receivable._cobranza_bucket_totals(partner, company)
            sections.append(
                {
                    "company": company,
                    "currency": company.currency_id,
                    "figure": Receivable._cobranza_figure(partner, company),
                    "rows": rows,
                    "moves": moves,
                    "buckets": [(key, labels.get(key, key), buckets[key]) for key, *_rest in BUCKETS],
                    "promises": self.env["cobranza.promise"].search(
                        [
                            ("commercial_partner_id", "=", partner.id),
                            ("company_id", "=", company.id),
                            ("state", "=", "open"),
                        ],
                        order="date asc, id asc",
                    ),
                    "today": company._cobranza_today(),
                }
            )
        return {
            "partner": partner,
            "sections": sections,
            "dispute_kinds": dict(
                self.env["account.move"]._fields["cobranza_dispute_kind"]._description_selection(self.env)
            ),
            "call_slots": CALL_SLOTS,
            "format_amount": lambda amount, currency: format_amount(self.env, amount, currency),
            "format_date": lambda value: format_date(self.env, value),
        }

    # ------------------------------------------------------------------
    # Checks shared by the actions
    # ------------------------------------------------------------------

    @api.model
    def _cobranza_check_rate(self, partner, company):
        """Refuse the action when the customer already sent the company's maximum from its page
        in the last hour (counted in the contact log)."""
        since = company._cobranza_now() - timedelta(hours=1)
        count = (
            self.env["cobranza.contact"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("channel", "=", "portal"),
                    ("direction", "=", "inbound"),
                    ("date", ">", since),
                ]
            )
        )
        if count >= company.cobranza_portal_max_actions:
            raise UserError(
                self.env._(
                    "You have sent %(count)s requests in the last hour, the most allowed: please try "
                    "again later or call us.",
                    count=count,
                )
            )

    @api.model
    def _cobranza_open_moves(self, partner, move_ids):
        """The open documents of ``partner`` among ``move_ids`` (posted text or ints); refused
        when one is not an open document of this customer, whoever it belongs to (no leak)."""
        try:
            ids = {int(move_id) for move_id in move_ids}
        except (TypeError, ValueError):
            ids = None
        if not ids:
            raise UserError(self.env._("Choose at least one of your open documents."))
        Move = self.env["account.move"]
        moves = Move.search(
            [
                ("id", "in", list(ids)),
                ("commercial_partner_id", "=", partner.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        if len(moves) != len(ids):
            raise UserError(self.env._("One of the documents chosen is not one of your open documents."))
        return moves

    @api.model
    def _cobranza_company_of(self, partner, company_id):
        try:
            company = self.env["res.company"].sudo().browse(int(company_id)).exists()
        except (TypeError, ValueError):
            company = None
        if not company or company not in self._cobranza_companies(partner):
            raise UserError(self.env._("Choose one of the companies you have documents with."))
        return company

    @api.model
    def _cobranza_collector(self, partner, company, moves=None):
        """Who gets the to-do: the customer's collector, else the documents', else the company's
        default collector, else a collection manager of the company."""
        user = partner.with_company(company).cobranza_collector_id
        if not user and moves:
            user = moves.cobranza_collector_id[:1]
        user = user or company.cobranza_default_collector_id
        if not user:
            managers = self.env.ref("cobranza_telefonica.group_cobranza_manager").sudo().users
            user = managers.filtered(lambda u, c=company: c in u.company_ids and not u.share)[:1]
        return user or self.env.ref("base.user_admin")

    @api.model
    def _cobranza_record(self, partner, company, origin, text, author, records=None, attachments=None):
        """Post ``text`` in the chatter of the customer (and ``records``, the note on the first
        one with ``attachments``, pending ones it takes) and log the inbound contact: every
        accepted action ends here."""
        body = Markup("<p>%s</p>") % text
        for index, record in enumerate([partner, *(records or [])]):
            record.message_post(
                body=body,
                author_id=author.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                attachment_ids=attachments.ids if attachments and index == 1 else [],
            )
        return self.env["cobranza.contact.gate"]._cobranza_log_inbound(
            partner, company, "portal", origin=origin, note=text
        )

    # ------------------------------------------------------------------
    # The actions
    # ------------------------------------------------------------------

    @api.model
    def _cobranza_portal_promise(self, partner, move_ids, amount, date, author=None):
        """A promise to pay ``amount`` by ``date`` on the chosen documents, made as a call makes
        one (oldest document first over what is not yet promised) with channel portal, under the
        promise's own rules (date, horizon, not above what is due); a to-do for the collector."""
        partner = partner.commercial_partner_id
        moves = self._cobranza_open_moves(partner, move_ids)
        if len(moves.company_id) > 1:
            raise UserError(self.env._("Choose documents of one company only."))
        company = moves.company_id
        self._cobranza_check_rate(partner, company)
        moves._cobranza_one_currency()
        currency = moves.currency_id
        try:
            amount = float(str(amount).strip())
        except ValueError:
            amount = None
        if (
            amount is None
            or not validation.is_sane_amount(amount)
            or currency.compare_amounts(amount, 0) <= 0
        ):
            raise UserError(self.env._("Write the amount you promise to pay, a number greater than zero."))
        amount = currency.round(amount)
        try:
            date = fields.Date.to_date(date)
        except (TypeError, ValueError):
            date = None
        if not date:
            raise UserError(self.env._("Choose the date you will pay by."))
        moves = moves._cobranza_oldest_first()
        available = self.env["cobranza.promise"].with_company(company)._cobranza_available_amounts(moves)
        free = [available[move.id] for move in moves]
        if currency.compare_amounts(amount, sum(free)) > 0:
            raise UserError(
                self.env._(
                    "You can promise at most %(available)s on these documents: it is what they still owe "
                    "less what other open promises already cover.",
                    available=format_amount(self.env, sum(free), currency),
                )
            )
        [parts] = promise_service.allocate([amount], free, currency.rounding)
        collector = self._cobranza_collector(partner, company, moves)
        promise = (
            self.env["cobranza.promise"]
            .with_company(company)
            .with_context(cobranza_today=False)
            .create(
                {
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "user_id": collector.id,
                    "channel": "portal",
                    "date": date,
                    "note": self.env._("Made by the customer on its collection page."),
                    "line_ids": [
                        fields.Command.create({"move_id": moves[index].id, "amount": part})
                        for index, part in parts
                    ],
                }
            )
        )
        folios = ", ".join(move.l10n_latam_document_number or move.name for move in promise.move_ids)
        text = self.env._(
            "The customer promised on its collection page to pay %(amount)s by %(date)s "
            "(documents %(folios)s).",
            amount=format_amount(self.env, promise.amount, promise.currency_id),
            date=format_date(self.env, promise.date),
            folios=folios,
        )
        promise.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=company._cobranza_today(),
            summary=self.env._("Promise to pay made on the collection page"),
            note=Markup("<p>%s</p>") % text,
            user_id=collector.id,
        )
        self._cobranza_record(
            partner,
            company,
            self.env._("Collection page: promise to pay"),
            text,
            author or partner,
            [promise],
        )
        return promise

    @api.model
    def _cobranza_dispute_file(self, upload):
        """{name, raw, mimetype} of the file ``upload`` ((file name, bytes) or None) the customer
        attached to a dispute, or None; refused unless a PDF or an image (told by its content, not
        its name) of at most 5 MB."""
        if not upload:
            return None
        name, raw = upload
        if not raw:
            return None
        if len(raw) > ATTACHMENT_MAX_BYTES:
            raise UserError(
                self.env._(
                    "The file is too large: at most %(size)s MB.", size=ATTACHMENT_MAX_BYTES // (1024 * 1024)
                )
            )
        mimetype = guess_mimetype(raw, default="")
        if mimetype not in ATTACHMENT_MIMETYPES:
            raise UserError(self.env._("Attach a PDF or an image (PNG, JPEG, GIF or WebP)."))
        name = validation.strip_nul(str(name or "")).replace("\\", "/").rsplit("/", 1)[-1].strip()
        return {
            "name": name[-ATTACHMENT_NAME_MAX_LENGTH:] or self.env._("Dispute document"),
            "raw": raw,
            "mimetype": mimetype,
        }

    @api.model
    def _cobranza_portal_dispute(self, partner, move_id, kind, comment, author=None, attachment=None):
        """Dispute one open document of the customer with a reason of the list, a comment
        (plain text) and optionally a file (``attachment``: (file name, bytes), kept as an
        attachment of the document): it leaves the follow-up and the collector gets a to-do. A
        paid document, one already disputed or another customer's is refused."""
        partner = partner.commercial_partner_id
        try:
            move = self.env["account.move"].browse(int(move_id)).exists()
        except (TypeError, ValueError):
            move = self.env["account.move"]
        if (
            not move
            or move.commercial_partner_id != partner
            or move.move_type != "out_invoice"
            or move.state != "posted"
        ):
            raise UserError(self.env._("The document chosen is not one of your documents."))
        if move.payment_state in ("paid", "in_payment", "reversed") or move.currency_id.is_zero(
            move.amount_residual
        ):
            raise UserError(
                self.env._(
                    "Document %(folio)s is already paid: there is nothing to dispute.",
                    folio=move.l10n_latam_document_number or move.name,
                )
            )
        if move.cobranza_dispute:
            raise UserError(
                self.env._(
                    "Document %(folio)s is already disputed: we are reviewing it.",
                    folio=move.l10n_latam_document_number or move.name,
                )
            )
        kinds = dict(move._fields["cobranza_dispute_kind"]._description_selection(self.env))
        if kind not in dict(DISPUTE_KINDS):
            raise UserError(self.env._("Choose the reason of the dispute from the list."))
        comment = validation.strip_nul((comment or "").strip())
        if len(comment) > COMMENT_MAX_LENGTH:
            raise UserError(
                self.env._("The comment is too long: at most %(count)s characters.", count=COMMENT_MAX_LENGTH)
            )
        file = self._cobranza_dispute_file(attachment)
        company = move.company_id
        self._cobranza_check_rate(partner, company)
        reason = kinds[kind] + (f": {comment}" if comment else "")
        move.write(
            {"cobranza_dispute": True, "cobranza_dispute_kind": kind, "cobranza_dispute_reason": reason}
        )
        folio = move.l10n_latam_document_number or move.name
        text = self.env._(
            "The customer disputed document %(folio)s on its collection page: %(reason)s",
            folio=folio,
            reason=reason,
        )
        if file:
            text = self.env._("%(text)s (file attached: %(name)s)", text=text, name=file["name"])
        collector = self._cobranza_collector(partner, company, move)
        move.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=company._cobranza_today(),
            summary=self.env._("Dispute from the collection page: %(folio)s", folio=folio),
            note=Markup("<p>%s</p>") % text,
            user_id=collector.id,
        )
        # Made pending (as the chatter's composer does) so the note on the document takes it.
        attachments = (
            self.env["ir.attachment"].create({**file, "res_model": "mail.compose.message", "res_id": 0})
            if file
            else None
        )
        self._cobranza_record(
            partner,
            company,
            self.env._("Collection page: dispute"),
            text,
            author or partner,
            [move],
            attachments=attachments,
        )
        return move

    @api.model
    def _cobranza_call_slot(self, partner, company, day, slot):
        """The UTC moment of the slot ``slot`` (HH:MM, company local time) of ``day``, refused
        when it is in the past, too far ahead, or outside the legal calling days and hours
        (the company's guardrails: Monday to Saturday, 08:00-20:00, no holidays)."""
        try:
            local = datetime.combine(fields.Date.to_date(day), datetime.strptime(slot, "%H:%M").time())
        except (TypeError, ValueError):
            raise UserError(self.env._("Choose the day and the time you want to be called.")) from None
        tz = company._cobranza_tz()
        moment = to_utc(local, tz)
        now = company._cobranza_now()
        if moment <= now:
            raise UserError(self.env._("The time chosen has already passed: choose a later one."))
        if local.date() > to_local(now, tz).date() + timedelta(days=CALL_HORIZON_DAYS):
            raise UserError(
                self.env._("Choose a time within the next %(days)s days.", days=CALL_HORIZON_DAYS)
            )
        data = self.env["cobranza.contact.gate"]._cobranza_data(company, partner, now)
        rules = data["rules"].get(partner.cobranza_debtor_type or "company", guardrails.Rules())
        # The customer asked: the weekly limit of calls does not apply, the days and hours always do.
        rules = dataclasses.replace(rules, enabled=True, max_calls_per_week=0)
        decision = guardrails.check("call", local, rules, (), data["holidays"])
        if not decision.allowed:
            raise UserError(
                self.env._(
                    "We cannot call at that time (%(reason)s). The first time we can call from then is "
                    "%(next)s.",
                    reason=self.env["res.partner"]._cobranza_guardrail_reason_label(decision.reason),
                    next=format_datetime(
                        self.env, to_utc(decision.next_allowed, tz), tz=tz.zone, dt_format="short"
                    ),
                )
            )
        return moment

    @api.model
    def _cobranza_portal_call(self, partner, company_id, day, slot, author=None):
        """The customer asks to be called at a slot: the customer's open collection call of the
        company moves to that moment (one open call per customer), or a new one is scheduled, for
        the customer's collector."""
        partner = partner.commercial_partner_id
        company = self._cobranza_company_of(partner, company_id)
        moment = self._cobranza_call_slot(partner, company, day, slot)
        self._cobranza_check_rate(partner, company)
        tz = company._cobranza_tz()
        local = to_local(moment, tz)
        when = format_datetime(self.env, moment, tz=tz.zone, dt_format="short")
        text = self.env._("The customer asked on its collection page to be called on %(when)s.", when=when)
        call_type = self.env.ref(CALL_TYPE_XMLID)
        existing = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("activity_type_id", "=", call_type.id),
                ("cobranza_company_id", "in", [False, company.id]),
            ],
            order="cobranza_company_id, id",
            limit=1,
        )
        collector = self._cobranza_collector(partner, company)
        if existing:
            existing.with_context(mail_activity_quick_update=True).write(
                {
                    "cobranza_call_at": moment,
                    "date_deadline": local.date(),
                    "cobranza_company_id": company.id,
                    "note": (existing.note or Markup()) + Markup("<p>%s</p>") % text,
                }
            )
            activity = existing
        else:
            activity = partner.with_context(mail_activity_quick_update=True).activity_schedule(
                CALL_TYPE_XMLID,
                date_deadline=local.date(),
                summary=self.env._("Call requested by the customer for %(when)s", when=when),
                note=Markup("<p>%s</p>") % text,
                user_id=collector.id,
                cobranza_call_at=moment,
                cobranza_company_id=company.id,
            )
        self._cobranza_record(
            partner, company, self.env._("Collection page: call request"), text, author or partner
        )
        return activity
