import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, modules
from odoo.exceptions import UserError

from ..services import clock, dte_xml, rut, sii_client
from .res_company_sii import sii_error_message

_logger = logging.getLogger(__name__)

SII_EVENTS = [
    ("ACD", "ACD: content accepted"),
    ("RCD", "RCD: content claimed"),
    ("ERM", "ERM: receipt of goods or services"),
    ("RFP", "RFP: partial shortfall claimed"),
    ("RFT", "RFT: total shortfall claimed"),
    ("NCA", "NCA: cancelled by a credit note"),
    ("ENC", "ENC: referenced by a credit note"),
]
CLAIM_EVENTS = frozenset({"RCD", "RFP", "RFT"})
ACCEPT_EVENTS = frozenset({"ACD", "ERM"})
# Ley 19.983: an invoice not claimed within 8 calendar days of its SII reception is accepted.
CLAIM_DAYS = 8

# Written only by the DTE import and the SII sync (as superuser): nobody types them in.
DTE_PROTECTED_FIELDS = frozenset(
    {
        "cobranza_sii_acceptance",
        "cobranza_sii_event",
        "cobranza_sii_event_date",
        "cobranza_sii_reception_date",
        "cobranza_dte_ceded",
        "cobranza_dte_assignee_vat",
        "cobranza_dte_assignee_name",
        "cobranza_dte_assignee_email",
        "cobranza_dte_cession_date",
        "cobranza_dte_cession_seq",
        "cobranza_dte_origin_id",
        "cobranza_dte_cancels_origin",
        "cobranza_dte_imported",
        "cobranza_sii_sync_date",
        "cobranza_sii_sync_error",
        "cobranza_sii_sync_attempts",
        "cobranza_sii_next_sync",
    }
)


def vat_key(vat):
    """'76086428-5' for any spelling of a RUT, or None when it is not one."""
    if not vat or not rut.is_valid(vat):
        return None
    body, digit = rut.split(vat)
    return f"{body}-{digit}"


# pylint: disable=consider-merging-classes-inherited
class AccountMoveDte(models.Model):
    _inherit = "account.move"

    cobranza_sii_acceptance = fields.Selection(
        selection=[("pending", "Pending"), ("accepted", "Accepted"), ("claimed", "Claimed")],
        string="SII acceptance",
        copy=False,
        readonly=True,
        help="The receiver's answer in the SII's registry of acceptance and claims.",
    )
    cobranza_sii_event = fields.Selection(selection=SII_EVENTS, string="SII event", copy=False, readonly=True)
    cobranza_sii_event_date = fields.Date(string="SII event date", copy=False, readonly=True)
    cobranza_sii_reception_date = fields.Datetime(string="SII reception", copy=False, readonly=True)
    cobranza_dte_ceded = fields.Boolean(
        string="Ceded (factoring)",
        copy=False,
        readonly=True,
        help="The invoice was ceded to a factoring company: its customer must pay the assignee.",
    )
    cobranza_dte_assignee_vat = fields.Char(string="Assignee RUT", copy=False, readonly=True)
    cobranza_dte_assignee_name = fields.Char(string="Assignee", copy=False, readonly=True)
    cobranza_dte_assignee_email = fields.Char(string="Assignee e-mail", copy=False, readonly=True)
    cobranza_dte_cession_date = fields.Datetime(string="Ceded on", copy=False, readonly=True)
    cobranza_dte_cession_seq = fields.Integer(string="Cession number", copy=False, readonly=True)
    cobranza_dte_origin_id = fields.Many2one(
        comodel_name="account.move",
        string="Referenced document",
        copy=False,
        readonly=True,
        check_company=True,
        index="btree_not_null",
        help="The invoice this credit or debit note refers to, from its DTE's Referencia.",
    )
    cobranza_dte_cancels_origin = fields.Boolean(
        string="Cancels the referenced document", copy=False, readonly=True
    )
    cobranza_dte_imported = fields.Boolean(string="DTE XML imported", copy=False, readonly=True)
    cobranza_executive_merit_date = fields.Date(
        string="Executive merit from",
        compute="_compute_cobranza_law_dates",
        store=True,
        help="Ley 19.983: the acceptance date, or the SII reception plus 8 calendar days without a "
        "claim. Empty while the SII reception is unknown or when the invoice was claimed.",
    )
    cobranza_prescription_date = fields.Date(
        string="Executive action prescribes",
        compute="_compute_cobranza_law_dates",
        store=True,
        help="One year after the due date.",
    )
    cobranza_dte_label = fields.Char(string="Tax document", compute="_compute_cobranza_dte_label")

    @api.depends(
        "cobranza_sii_acceptance",
        "cobranza_sii_event",
        "cobranza_sii_event_date",
        "cobranza_sii_reception_date",
        "invoice_date_due",
        "move_type",
    )
    def _compute_cobranza_law_dates(self):
        for move in self:
            merit = False
            if move.move_type == "out_invoice" and move.cobranza_sii_acceptance != "claimed":
                if move.cobranza_sii_event in ACCEPT_EVENTS and move.cobranza_sii_event_date:
                    merit = move.cobranza_sii_event_date
                elif move.cobranza_sii_reception_date:
                    merit = move.cobranza_sii_reception_date.date() + relativedelta(days=CLAIM_DAYS)
            move.cobranza_executive_merit_date = merit
            move.cobranza_prescription_date = (
                move.invoice_date_due + relativedelta(years=1)
                if move.move_type == "out_invoice" and move.invoice_date_due
                else False
            )

    @api.depends("l10n_latam_document_type_id", "name")
    def _compute_cobranza_dte_label(self):
        label = self.env._("%(type)s N° %(folio)s")  # translated once for the whole batch
        for move in self:
            doc_type = move.l10n_latam_document_type_id
            folio = move._cobranza_dte_folio()
            if doc_type and folio:
                move.cobranza_dte_label = label % {"type": doc_type.name, "folio": folio}
            else:
                move.cobranza_dte_label = move.name if move.name != "/" else False

    def _cobranza_dte_folio(self):
        """The folio of this document as a number (from its l10n_latam name 'FAC 001234'), or 0."""
        self.ensure_one()
        number = (self.name or "").rsplit(" ", 1)[-1]
        return int(number) if self.l10n_latam_document_type_id and number.isdigit() else 0

    def _cobranza_has_executive_merit(self, day=None):
        """True when the invoice may go to an executive lawsuit on ``day`` (the company's day):
        merit reached and not yet prescribed."""
        self.ensure_one()
        day = day or self.company_id._cobranza_today()
        return bool(
            self.cobranza_executive_merit_date
            and self.cobranza_executive_merit_date <= day
            and not (self.cobranza_prescription_date and self.cobranza_prescription_date < day)
        )

    @api.model
    def _cobranza_exclusion_selection(self):
        return [
            *super()._cobranza_exclusion_selection(),
            ("dte_cancelled", "Cancelled by a credit note (DTE 61)"),
        ]

    @api.model
    def _cobranza_followup_fields(self):
        return [
            *super()._cobranza_followup_fields(),
            "cobranza_dte_ceded",
            "cobranza_sii_acceptance",
            "cobranza_sii_event",
        ]

    def _cobranza_exclusion_reasons(self):
        """Claimed (RCD, RFP, RFT) or ceded invoices leave the company's own collection, and so do
        invoices a posted credit note cancels (a 61 with CodRef 1) before it is reconciled."""
        reasons = super()._cobranza_exclusion_reasons()
        for move in self:
            if move.cobranza_dte_ceded or (
                move.cobranza_sii_acceptance == "claimed" and move.cobranza_sii_event in CLAIM_EVENTS
            ):
                reasons.setdefault(move.id, "sii")
        if self.ids:
            notes = self.sudo().search_fetch(
                [
                    ("cobranza_dte_origin_id", "in", self.ids),
                    ("cobranza_dte_cancels_origin", "=", True),
                    ("move_type", "=", "out_refund"),
                    ("state", "=", "posted"),
                ],
                ["cobranza_dte_origin_id"],
            )
            for move_id in notes.cobranza_dte_origin_id.ids:
                reasons.setdefault(move_id, "dte_cancelled")
        return reasons

    def _cobranza_pay_to_text(self):
        """Whom the customer must pay, for scripts and messages: the assignee of a ceded invoice."""
        self.ensure_one()
        if not self.cobranza_dte_ceded:
            return ""
        return self.env._(
            "%(document)s was ceded to %(assignee)s (RUT %(vat)s): please pay them directly.",
            document=self.cobranza_dte_label or self.name,
            assignee=self.cobranza_dte_assignee_name or "",
            vat=self.cobranza_dte_assignee_vat or "",
        )

    def _cobranza_mail_pay_to_lines(self):
        """For a collection e-mail on this invoice: whom to pay for each of the customer's open
        ceded invoices of this company (they are out of the follow-up, but the customer must
        still learn that they are paid to the assignee). Within a batch of e-mails (context
        ``cobranza_mail_batch_cache``) one query finds the ceded invoices of every customer."""
        self.ensure_one()
        cache = self.env.context.get("cobranza_mail_batch_cache")
        if cache is None:
            cache = {}
        if "ceded" not in cache:
            named = self.env.context.get("cobranza_mail_move_ids") or {}
            customers = (self.browse(list(named)) | self).commercial_partner_id
            ceded = self.search(
                [
                    ("commercial_partner_id", "in", customers.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("cobranza_dte_ceded", "=", True),
                ],
                order="invoice_date_due, id",
            )
            cache["ceded"] = {}
            for move in ceded:
                key = (move.commercial_partner_id.id, move.company_id.id)
                cache["ceded"].setdefault(key, []).append(move._cobranza_pay_to_text())
        return cache["ceded"].get((self.commercial_partner_id.id, self.company_id.id), [])

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(DTE_PROTECTED_FIELDS.intersection(vals) for vals in vals_list):
            raise UserError(
                self.env._("The SII data of an invoice is written only by the DTE import and the SII sync.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and DTE_PROTECTED_FIELDS.intersection(vals):
            raise UserError(
                self.env._("The SII data of an invoice is written only by the DTE import and the SII sync.")
            )
        return super().write(vals)

    # --- finding a document by its SII key ---------------------------------------------------

    def _cobranza_dte_names(self, doc_type, folio):
        """The names l10n_cl gives to folio ``folio`` of ``doc_type`` ('FAC 001234', padded to 6)."""
        prefix = doc_type.doc_code_prefix
        return [f"{prefix} {folio:06d}", f"{prefix} {folio:08d}", f"{prefix} {folio}"]

    @api.model
    def _cobranza_find_dte(self, company, doc_type, folio):
        """The customer document of ``company`` for this SII type record and folio (not cancelled)."""
        return self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("l10n_latam_document_type_id", "=", doc_type.id),
                ("name", "in", self._cobranza_dte_names(doc_type, folio)),
                ("state", "!=", "cancel"),
            ],
            limit=1,
        )


def dte_error_message(env, error):
    """The Spanish (translated) sentence for a services.dte_xml.DteError."""
    params = error.params
    code = error.code
    if code == "too_big":
        return env._(
            "The file is too big (%(size)s bytes; the limit is %(limit)s).",
            size=params["size"],
            limit=params["limit"],
        )
    if code == "empty":
        return env._("The file is empty.")
    if code == "encoding":
        return env._(
            "The file's encoding (%(encoding)s) is not one the SII uses: UTF-8, ISO-8859-1 or windows-1252.",
            encoding=params.get("encoding", "?"),
        )
    if code == "doctype":
        return env._(
            "The file declares a DOCTYPE or entities, which a DTE never does: it was refused "
            "for safety (entity expansion or access to other files)."
        )
    if code == "malformed":
        return env._("The file is not well-formed XML: %(detail)s", detail=params.get("detail", ""))
    if code == "missing":
        return env._("The element %(field)s is missing.", field=params["field"])
    if code == "not_number":
        return env._(
            "%(field)s is not a whole number: “%(value)s”.", field=params["field"], value=params["value"]
        )
    if code == "bad_date":
        return env._("%(field)s is not a date: “%(value)s”.", field=params["field"], value=params["value"])
    if code == "bad_rut":
        who = {
            "issuer": env._("issuer"),
            "receiver": env._("receiver"),
            "assignor": env._("assignor"),
            "assignee": env._("assignee"),
        }.get(params["who"], params["who"])
        return env._(
            "The %(who)s's RUT %(rut)s is not valid (wrong check digit).", who=who, rut=params["rut"]
        )
    if code == "no_document":
        return env._("The file holds no tax document.")
    if code == "doc_type":
        return env._(
            "Document type %(type)s is not one collection imports (33, 34, 43, 56, 61, 110, 111, 112).",
            type=params["doc_type"],
        )
    if code == "totals":
        return env._(
            "The totals do not add up: MntNeto %(net)s + MntExe %(exempt)s + IVA %(vat)s differ from "
            "MntTotal %(total)s by %(difference)s.",
            **params,
        )
    if code == "namespace":
        return env._("The file's namespace %(namespace)s is not the SII's.", namespace=params["namespace"])
    if code == "root":
        return env._(
            "The file is not a DTE, an EnvioDTE or an AEC (it starts with <%(root)s>).", root=params["root"]
        )
    return env._("The file could not be read.")


def parse_or_raise(env, data, max_bytes=dte_xml.MAX_BYTES):
    """services.dte_xml.parse, with its file-level errors as a Spanish UserError."""
    try:
        return dte_xml.parse(data, max_bytes=max_bytes)
    except dte_xml.DteError as error:
        raise UserError(dte_error_message(env, error)) from None


# pylint: disable=consider-merging-classes-inherited
class AccountMoveSiiSync(models.Model):
    _inherit = "account.move"

    cobranza_sii_sync_date = fields.Datetime(string="SII read on", copy=False, readonly=True)
    cobranza_sii_sync_error = fields.Char(string="Last SII error", copy=False, readonly=True)
    cobranza_sii_sync_attempts = fields.Integer(string="Failed SII reads in a row", copy=False, readonly=True)
    cobranza_sii_next_sync = fields.Datetime(string="Next SII read", copy=False, readonly=True)

    def _cobranza_sii_domain(self, company, now):
        """The invoices of ``company`` the SII registry serves (33, 34, 43, since 2017-01-14), due
        for a read at ``now``."""
        return [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("l10n_latam_document_type_id.code", "in", [str(code) for code in sii_client.REGISTRY_TYPES]),
            ("invoice_date", ">=", sii_client.REGISTRY_SINCE),
            "|",
            ("cobranza_sii_next_sync", "=", False),
            ("cobranza_sii_next_sync", "<=", now),
        ]

    def _cobranza_sii_read(self, client, now):
        """Ask the SII about each invoice of ``self`` and write what it says; one invoice's failure
        is logged on it (what was known before stays) and asked again later, with back-off.
        Return (read, failed) counts."""
        read = failed = 0
        issuer = vat_key(self.company_id[:1].vat)
        for move in self:
            folio = move._cobranza_dte_folio()
            code = int(move.l10n_latam_document_type_id.code)
            try:
                if not issuer:
                    raise sii_client.SiiError("rut", rut=move.company_id.vat or "")
                events = client.events(issuer, code, folio)
                if not events.found:
                    raise sii_client.SiiError("fault", detail=f"codResp {events.code}: {events.description}")
                reception = client.reception_date(issuer, code, folio)
            except sii_client.SiiError as error:
                failed += 1
                attempts = move.cobranza_sii_sync_attempts + 1
                move.sudo().write(
                    {
                        "cobranza_sii_sync_error": sii_error_message(self.env, error)[:250],
                        "cobranza_sii_sync_attempts": attempts,
                        "cobranza_sii_next_sync": now + sii_client.backoff(attempts),
                    }
                )
                continue
            read += 1
            state, event, moment = sii_client.state_of(events)
            vals = {
                "cobranza_sii_sync_date": now,
                "cobranza_sii_sync_error": False,
                "cobranza_sii_sync_attempts": 0,
                "cobranza_sii_next_sync": now + timedelta(days=1),
                "cobranza_sii_acceptance": state,
                "cobranza_sii_event": event or False,
                "cobranza_sii_event_date": moment.date() if moment else False,
            }
            if reception:
                vals["cobranza_sii_reception_date"] = reception
            newly_claimed = state == "claimed" and move.cobranza_sii_acceptance != "claimed"
            move.sudo().write(vals)
            if newly_claimed:
                move._cobranza_sii_claim_todo()
        return read, failed

    def _cobranza_sii_claim_todo(self):
        """A to-do for the person who handles claims (not a dunning call)."""
        self.ensure_one()
        user = (
            self.company_id.cobranza_sii_claim_user_id or self.invoice_user_id or self.cobranza_collector_id
        )
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(user or self.env.user).id,
            summary=self.env._(
                "SII claim %(event)s on %(document)s",
                event=self.cobranza_sii_event or "",
                document=self.cobranza_dte_label or self.name,
            ),
        )

    @api.model
    def _cron_cobranza_sii_sync(self, batch_size=100, endpoints=None, timeout=10):
        """Read the SII status of the due invoices of every company that asks for it, by batches;
        re-triggers itself while invoices are left."""
        now = clock.now()
        left = 0
        for company in self.env["res.company"].sudo().search([("cobranza_sii_sync", "=", True)]):
            moves = self.sudo().search(
                self._cobranza_sii_domain(company, now),
                order="cobranza_sii_next_sync NULLS FIRST, id",
                limit=batch_size,
            )
            if not moves:
                continue
            try:
                client = company._cobranza_sii_client(endpoints=endpoints, timeout=timeout)
            except UserError as error:
                _logger.warning("SII sync of %s skipped: %s", company.name, error.args[0])
                continue
            # The error kept on each invoice is written in the company's language.
            lang = company.partner_id.lang or self.env.lang
            read, failed = moves.with_company(company).with_context(lang=lang)._cobranza_sii_read(client, now)
            _logger.info("SII sync of %s: %s read, %s failed", company.name, read, failed)
            if not modules.module.current_test:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            left += self.sudo().search_count(self._cobranza_sii_domain(company, now))
        cron = self.env.ref("cobranza_telefonica.ir_cron_cobranza_sii_sync", raise_if_not_found=False)
        if left and cron and not modules.module.current_test:
            cron._trigger()
        return left
