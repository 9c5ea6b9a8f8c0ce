import binascii
import hashlib
import io
import logging
import zipfile

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import file_path

from ..models.account_move_dte import dte_error_message, vat_key
from ..services import dte_xml

_logger = logging.getLogger(__name__)

MAX_ZIP_MEMBERS = 2000
CREATE_BATCH = 100
# The SII's currency names (TpoMoneda) of export documents -> ISO codes.
SII_CURRENCIES = {
    "PESO CL": "CLP",
    "DOLAR USA": "USD",
    "DOLAR EE.UU.": "USD",
    "EURO": "EUR",
    "DOLAR CAN": "CAD",
    "DOLAR AUST": "AUD",
    "LIBRA EST": "GBP",
    "YEN": "JPY",
    "PESO ARG": "ARS",
    "REAL": "BRL",
    "PESO MEX": "MXN",
    "SOL": "PEN",
}


class Refused(Exception):
    """One document cannot be taken; the message says why (already translated)."""


class CobranzaDteImport(models.TransientModel):
    _name = "cobranza.dte.import"
    _description = "Import DTE XML files"
    _check_company_auto = True

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, default=lambda self: self.env.company
    )
    attachment_ids = fields.Many2many(
        comodel_name="ir.attachment",
        string="Files",
        help="DTE, EnvioDTE or AEC XML files as the SII or your e-invoicing provider gives them, or a "
        "zip of them.",
    )
    state = fields.Selection(selection=[("draft", "Draft"), ("done", "Done")], default="draft", readonly=True)
    line_ids = fields.One2many(
        comodel_name="cobranza.dte.import.line", inverse_name="wizard_id", string="Report", readonly=True
    )
    summary = fields.Char(compute="_compute_summary")

    @api.depends("line_ids.result")
    def _compute_summary(self):
        labels = dict(self.env["cobranza.dte.import.line"]._fields["result"]._description_selection(self.env))
        for wizard in self:
            counts = {}
            for line in wizard.line_ids:
                counts[line.result] = counts.get(line.result, 0) + 1
            wizard.summary = ", ".join(f"{labels[key]}: {count}" for key, count in counts.items())

    def action_import(self):
        """Read every file and record per document what was matched, created, ceded or refused;
        then show the report."""
        self.ensure_one()
        if not self.env.user.has_group("cobranza_telefonica.group_cobranza_manager"):
            raise AccessError(self.env._("Only a collection manager can import DTE files."))
        if not self.attachment_ids:
            raise UserError(self.env._("Add one or more DTE XML files (or a zip of them) to import."))
        rows = []
        for attachment in self.attachment_ids:
            for name, data in self._cobranza_files(attachment, rows):
                rows.extend(self._cobranza_import_file(name, data))
        self.line_ids = [Command.clear()] + [Command.create(row) for row in rows]
        self.state = "done"
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("DTE import"),
        }

    # --- files ---------------------------------------------------------------------------------

    def _cobranza_files(self, attachment, rows):
        """(name, bytes) of the XML files of ``attachment``: itself, or the members of a zip. A
        file that cannot be opened becomes a refused row of ``rows``."""
        name = attachment.name or "?"
        data = attachment.sudo().raw or b""
        if data[:4] != b"PK\x03\x04":
            yield name, data
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = [info for info in archive.infolist() if not info.is_dir()]
        except (zipfile.BadZipFile, ValueError):
            rows.append(self._cobranza_row(name, "refused", message=self.env._("The zip file is damaged.")))
            return
        if len(members) > MAX_ZIP_MEMBERS:
            rows.append(
                self._cobranza_row(
                    name,
                    "refused",
                    message=self.env._(
                        "The zip holds %(count)s files; at most %(limit)s are imported at once.",
                        count=len(members),
                        limit=MAX_ZIP_MEMBERS,
                    ),
                )
            )
            return
        for info in members:
            member = f"{name}/{info.filename}"
            if not info.filename.lower().endswith(".xml"):
                rows.append(
                    self._cobranza_row(
                        member, "refused", message=self.env._("Not an XML file: it was skipped.")
                    )
                )
                continue
            if info.file_size > dte_xml.MAX_BYTES:
                error = dte_xml.DteError("too_big", size=info.file_size, limit=dte_xml.MAX_BYTES)
                rows.append(self._cobranza_row(member, "refused", message=dte_error_message(self.env, error)))
                continue
            try:
                with archive.open(info) as stream:
                    # Read one byte past the limit: a lying header cannot inflate past it.
                    content = stream.read(dte_xml.MAX_BYTES + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, binascii.Error):
                rows.append(
                    self._cobranza_row(member, "refused", message=self.env._("The zip file is damaged."))
                )
                continue
            yield member, content

    def _cobranza_row(self, file_name, result, document=None, move=None, message="", doc_type="", folio=""):
        return {
            "file_name": file_name[:256],
            "doc_type": str(document.doc_type) if document else doc_type,
            "folio": str(document.folio) if document else folio,
            "result": result,
            "move_id": move.id if move else False,
            "message": message,
        }

    def _cobranza_import_file(self, name, data):
        """The report rows of one XML file; nothing is written for a document that is refused."""
        try:
            parsed = dte_xml.parse(data)
        except dte_xml.DteError as error:
            return [self._cobranza_row(name, "refused", message=dte_error_message(self.env, error))]
        rows = [
            self._cobranza_row(
                name,
                "refused",
                doc_type=bad.doc_type,
                folio=bad.folio,
                message=dte_error_message(self.env, bad.error),
            )
            for bad in parsed.errors
        ]
        if parsed.signed:
            errors = dte_xml.schema_errors(data, parsed.kind, self._cobranza_xsd_dir())
            if errors:
                return rows + [
                    self._cobranza_row(
                        name,
                        "refused",
                        message=self.env._(
                            "The file does not follow the SII's schema: %(errors)s",
                            errors="; ".join(errors[:3]),
                        ),
                    )
                ]
        if parsed.kind == "aec":
            return rows + self._cobranza_import_cessions(name, parsed)
        checksum = hashlib.sha1(data).hexdigest()  # noqa: S324 - ir.attachment's own checksum
        done = {}
        seen = set()
        # Invoices first, so that the notes of the same file find the invoice they refer to.
        for kinds in (("invoice",), ("debit", "credit")):
            pending = []
            for document in parsed.documents:
                if document.kind not in kinds:
                    continue
                if document.key in seen:
                    done[document.position] = self._cobranza_row(
                        name,
                        "refused",
                        document,
                        message=self.env._("The document appears twice in the file."),
                    )
                    continue
                seen.add(document.key)
                try:
                    with self.env.cr.savepoint():
                        result, move_or_vals, message = self._cobranza_import_document(
                            name, data, checksum, document
                        )
                except Refused as refused:
                    done[document.position] = self._cobranza_row(
                        name, "refused", document, message=str(refused)
                    )
                    continue
                except (UserError, ValidationError) as error:
                    done[document.position] = self._cobranza_row(
                        name, "refused", document, message=error.args[0]
                    )
                    continue
                if result == "create":
                    pending.append((document, move_or_vals))
                else:
                    done[document.position] = self._cobranza_row(
                        name, result, document, move_or_vals, message
                    )
            done.update(self._cobranza_create_moves(name, data, checksum, pending))
        return rows + [done[position] for position in sorted(done)]

    def _cobranza_create_moves(self, name, data, checksum, pending):
        """Create the draft documents of ``pending`` ((document, vals) pairs) by batches; a batch
        that fails is done again one by one, so one document's error never blocks the others.
        Return {document position: report row}."""
        rows = {}
        for start in range(0, len(pending), CREATE_BATCH):
            chunk = pending[start : start + CREATE_BATCH]
            try:
                with self.env.cr.savepoint():
                    rows.update(self._cobranza_create_chunk(name, data, checksum, chunk))
                continue
            except (Refused, UserError, ValidationError):
                _logger.info(
                    "DTE import: a batch of %s documents failed, importing them one by one", len(chunk)
                )
            for item in chunk:
                document = item[0]
                try:
                    with self.env.cr.savepoint():
                        rows.update(self._cobranza_create_chunk(name, data, checksum, [item]))
                except Refused as refused:
                    rows[document.position] = self._cobranza_row(
                        name, "refused", document, message=str(refused)
                    )
                except (UserError, ValidationError) as error:
                    rows[document.position] = self._cobranza_row(
                        name, "refused", document, message=error.args[0]
                    )
        return rows

    def _cobranza_create_chunk(self, name, data, checksum, chunk):
        """Create the moves of ``chunk`` in one go; the ones whose totals differ from the XML's are
        removed again (with the customers made for them) and reported as refused."""
        Partner = self.env["res.partner"]
        partners = {}
        created_partners = Partner.sudo()
        vals_list = []
        for document, vals in chunk:
            key = (document.receiver_vat, document.receiver_name)
            if key not in partners:
                partner = self._cobranza_partner(document)
                if not partner:
                    partner = self._cobranza_create_partner(document)
                    created_partners |= partner
                partners[key] = partner
            vals_list.append(dict(vals, partner_id=partners[key].id))
        moves = self.env["account.move"].sudo().with_company(self.company_id).create(vals_list)
        rows = {}
        wrong = moves.browse()
        kept = []
        for (document, _vals), move in zip(chunk, moves, strict=True):
            try:
                self._cobranza_check_totals(move, document)
            except Refused as refused:
                wrong |= move
                rows[document.position] = self._cobranza_row(name, "refused", document, message=str(refused))
                continue
            kept.append(move)
            rows[document.position] = self._cobranza_row(
                name, "created", document, move, self._cobranza_origin_message(move)
            )
        if wrong:
            wrong.unlink()
            used = set(moves.exists().partner_id.ids)
            created_partners.filtered(lambda p: p.id not in used).unlink()
        self._cobranza_attach_many(kept, name, data, checksum)
        return rows

    def _cobranza_xsd_dir(self):
        return file_path("cobranza_telefonica/data/sii_xsd")

    # --- documents -----------------------------------------------------------------------------

    def _cobranza_memo(self, key, compute):
        """``compute()`` once per import (this transaction) for ``key``: the document types and
        the journal are the same for every document of a file."""
        memo = self.env.cr.cache.setdefault("cobranza_dte_import", {})
        if (self.id, key) not in memo:
            memo[(self.id, key)] = compute()
        return memo[(self.id, key)]

    def _cobranza_doc_type(self, code):
        doc_type = self._cobranza_memo(
            ("doc_type", str(code)),
            lambda: (
                self.env["l10n_latam.document.type"]
                .sudo()
                .with_context(active_test=False)
                .search([("country_id.code", "=", "CL"), ("code", "=", str(code))], limit=1)
            ),
        )
        if not doc_type:
            raise Refused(self.env._("Document type %(type)s is not set up in Odoo.", type=code))
        return doc_type

    def _cobranza_check_issuer(self, issuer_vat):
        company_vat = vat_key(self.company_id.vat)
        if not company_vat:
            raise Refused(
                self.env._(
                    "The company %(company)s has no valid RUT: set it first.", company=self.company_id.name
                )
            )
        if issuer_vat != company_vat:
            raise Refused(
                self.env._(
                    "The document was issued by RUT %(issuer)s, not by %(company)s (RUT %(vat)s).",
                    issuer=issuer_vat,
                    company=self.company_id.name,
                    vat=company_vat,
                )
            )

    def _cobranza_import_document(self, name, data, checksum, document):
        """Match ``document`` to the company's invoice with its type and folio: (result, move,
        message); or ("create", values of its draft, "") when there is none. Refused when it is not
        the company's, or its customer or totals differ from Odoo's."""
        self._cobranza_check_issuer(document.issuer_vat)
        doc_type = self._cobranza_doc_type(document.doc_type)
        Move = self.env["account.move"].sudo()
        move = Move._cobranza_find_dte(self.company_id, doc_type, document.folio)
        if not move:
            return "create", self._cobranza_move_vals(document, doc_type), ""
        customer = vat_key(move.commercial_partner_id.vat)
        if customer != document.receiver_vat:
            raise Refused(
                self.env._(
                    "%(move)s belongs to %(customer)s (RUT %(vat)s), while the XML names RUT %(receiver)s.",
                    move=move.name,
                    customer=move.commercial_partner_id.name,
                    vat=customer or "-",
                    receiver=document.receiver_vat,
                )
            )
        self._cobranza_check_totals(move, document)
        if move.cobranza_dte_imported:
            return "unchanged", move, ""
        origin, cancels = self._cobranza_origin(document)
        move.write(
            {
                "cobranza_dte_imported": True,
                "cobranza_dte_origin_id": (move.cobranza_dte_origin_id or origin).id,
                "cobranza_dte_cancels_origin": cancels,
            }
        )
        self._cobranza_attach(move, name, data, checksum)
        return "matched", move, self._cobranza_origin_message(move)

    def _cobranza_origin(self, document):
        """(the company's document the note refers to, whether it cancels it: a 61 with CodRef 1)."""
        Move = self.env["account.move"].sudo()
        if document.kind not in ("credit", "debit"):
            return Move, False
        for reference in document.references:
            if not (reference.doc_type.isdigit() and reference.folio.isdigit()):
                continue
            if int(reference.doc_type) not in dte_xml.DOC_TYPES:
                continue
            doc_type = self._cobranza_doc_type(reference.doc_type)
            origin = Move._cobranza_find_dte(self.company_id, doc_type, int(reference.folio))
            if origin:
                return origin, document.kind == "credit" and reference.code == 1
        return Move, False

    def _cobranza_origin_message(self, move):
        if not move.cobranza_dte_origin_id:
            return ""
        if move.cobranza_dte_cancels_origin:
            return self.env._("Cancels %(origin)s.", origin=move.cobranza_dte_origin_id.name)
        return self.env._("Refers to %(origin)s.", origin=move.cobranza_dte_origin_id.name)

    def _cobranza_partner(self, document):
        """The customer with the receiver's RUT, or an empty recordset."""
        Partner = self.env["res.partner"].sudo()
        body, digit = document.receiver_vat.split("-")
        spellings = [
            document.receiver_vat,
            f"{int(body):,}".replace(",", ".") + f"-{digit}",
            f"CL{body}{digit}",
            f"{body}{digit}",
        ]
        domain = [("vat", "in", spellings), ("company_id", "in", (False, self.company_id.id))]
        if document.receiver_vat == "55555555-5":
            # The SII's RUT for every foreign customer: tell them apart by name.
            domain.append(("name", "=ilike", document.receiver_name))
        partners = Partner.search(domain, order="id").commercial_partner_id
        if len(partners) > 1:
            # Several customers share the RUT (branches, old duplicates): the one with the XML's
            # name, else the one the company invoices most.
            name = " ".join((document.receiver_name or "").split()).casefold()
            partners = (
                partners.filtered(lambda p: " ".join((p.name or "").split()).casefold() == name) or partners
            )
        if len(partners) > 1:
            counts = dict(
                self.env["account.move"]
                .sudo()
                ._read_group(
                    [("company_id", "=", self.company_id.id), ("commercial_partner_id", "in", partners.ids)],
                    ["commercial_partner_id"],
                    ["__count"],
                )
            )
            partners = partners.sorted(lambda p: (-counts.get(p, 0), p.id))
        return partners[:1]

    def _cobranza_create_partner(self, document):
        foreign = document.receiver_vat == "55555555-5"
        return (
            self.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": document.receiver_name or document.receiver_vat,
                    "is_company": True,
                    "vat": document.receiver_vat,
                    "country_id": False if foreign else self.env.ref("base.cl").id,
                    "l10n_latam_identification_type_id": self.env.ref("l10n_cl.it_RUT").id,
                    "l10n_cl_sii_taxpayer_type": "4" if foreign else "1",
                }
            )
        )

    def _cobranza_currency(self, document):
        code = SII_CURRENCIES.get(document.currency.upper(), "")
        currency = self.env["res.currency"].sudo().search([("name", "=", code)], limit=1) if code else None
        if not currency or not currency.active:
            raise Refused(
                self.env._(
                    "The currency %(currency)s of the document is not active in Odoo.",
                    currency=document.currency,
                )
            )
        return currency

    def _cobranza_journal(self):
        journal = self._cobranza_memo(
            "journal",
            lambda: (
                self.env["account.journal"]
                .sudo()
                .search(
                    [
                        ("type", "=", "sale"),
                        ("company_id", "=", self.company_id.id),
                        ("l10n_latam_use_documents", "=", True),
                    ],
                    limit=1,
                )
            ),
        )
        if not journal:
            raise Refused(
                self.env._("The company has no sales journal that uses documents: create one to import DTEs.")
            )
        return journal

    def _cobranza_move_vals(self, document, doc_type):
        """The values of a draft customer document with the XML's dates, lines and taxes (the
        customer is added when the batch is created)."""
        company = self.company_id
        vat_tax = company.account_sale_tax_id
        currency = (
            self._cobranza_currency(document)
            if document.doc_type in dte_xml.EXPORT_TYPES
            else company.currency_id
        )
        income = self._cobranza_journal().default_account_id
        lines = []
        for line in document.lines:
            taxed = not line.exempt and document.vat
            if taxed and not vat_tax:
                raise Refused(self.env._("The company has no default sales tax (IVA) to put on the lines."))
            if currency.compare_amounts(line.quantity * line.price, line.amount) == 0:
                quantity, price = line.quantity, line.price
            else:
                quantity, price = 1, line.amount
            lines.append(
                Command.create(
                    {
                        # The journal's income account, as Odoo gives a line without product
                        # when the customer has no history; named here, Odoo does not look up
                        # the customer's most frequent account line by line (a query each).
                        **({"account_id": income.id} if income else {}),
                        "name": line.name or "-",
                        "quantity": quantity,
                        "price_unit": price,
                        "tax_ids": [Command.set(vat_tax.ids if taxed else [])],
                    }
                )
            )
        if not lines:
            raise Refused(self.env._("The document has no detail lines to build the invoice from."))
        origin, cancels = self._cobranza_origin(document)
        vals = {
            "move_type": "out_refund" if document.kind == "credit" else "out_invoice",
            "company_id": company.id,
            "journal_id": self._cobranza_journal().id,
            "currency_id": currency.id,
            "l10n_latam_document_type_id": doc_type.id,
            "name": self.env["account.move"]._cobranza_dte_names(doc_type, document.folio)[0],
            "invoice_date": document.issue_date,
            "invoice_date_due": document.due_date or document.issue_date,
            "invoice_payment_term_id": False,
            "invoice_line_ids": lines,
            "cobranza_dte_imported": True,
            "cobranza_dte_origin_id": origin.id,
            "cobranza_dte_cancels_origin": cancels,
        }
        if document.kind == "credit" and origin:
            vals["reversed_entry_id"] = origin.id
        return vals

    def _cobranza_check_totals(self, move, document):
        """Refuse (roll back) when Odoo's totals differ from the XML's by a peso or more."""
        currency = move.currency_id
        mine = (move.amount_untaxed, move.amount_tax, move.amount_total)
        theirs = (document.net + document.exempt, document.vat, document.total)
        if any(currency.compare_amounts(a, b) for a, b in zip(mine, theirs, strict=True)):
            raise Refused(
                self.env._(
                    "Odoo's totals (net %(net)s, IVA %(vat)s, total %(total)s) differ from the XML's "
                    "(net %(xml_net)s, IVA %(xml_vat)s, total %(xml_total)s): "
                    "a difference of %(difference)s.",
                    net=currency.round(mine[0]),
                    vat=currency.round(mine[1]),
                    total=currency.round(mine[2]),
                    xml_net=theirs[0],
                    xml_vat=theirs[1],
                    xml_total=theirs[2],
                    difference=currency.round(theirs[2] - mine[2]),
                )
            )

    def _cobranza_attach_many(self, moves, name, data, checksum):
        """The XML on each new move, in one create."""
        if moves:
            self.env["ir.attachment"].sudo().create(
                [
                    {
                        "name": name.rsplit("/", 1)[-1],
                        "raw": data,
                        "mimetype": "application/xml",
                        "res_model": "account.move",
                        "res_id": move.id,
                        "company_id": move.company_id.id,
                    }
                    for move in moves
                ]
            )

    def _cobranza_attach(self, move, name, data, checksum):
        Attachment = self.env["ir.attachment"].sudo()
        if Attachment.search_count(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id), ("checksum", "=", checksum)],
            limit=1,
        ):
            return
        Attachment.create(
            {
                "name": name.rsplit("/", 1)[-1],
                "raw": data,
                "mimetype": "application/xml",
                "res_model": "account.move",
                "res_id": move.id,
                "company_id": move.company_id.id,
            }
        )

    # --- cessions ------------------------------------------------------------------------------

    def _cobranza_import_cessions(self, name, parsed):
        """The latest cession of each invoice of the AEC names its current holder."""
        latest = {}
        for cession in parsed.cessions:
            key = (cession.issuer_vat, cession.doc_type, cession.folio)
            if key not in latest or cession.sequence > latest[key].sequence:
                latest[key] = cession
        rows = []
        for cession in latest.values():
            label = {"doc_type": str(cession.doc_type), "folio": str(cession.folio)}
            try:
                with self.env.cr.savepoint():
                    result, move = self._cobranza_import_cession(cession)
            except Refused as refused:
                rows.append(self._cobranza_row(name, "refused", message=str(refused), **label))
                continue
            rows.append(self._cobranza_row(name, result, move=move, **label))
        return rows

    def _cobranza_import_cession(self, cession):
        self._cobranza_check_issuer(cession.issuer_vat)
        doc_type = self._cobranza_doc_type(cession.doc_type)
        move = self.env["account.move"]._cobranza_find_dte(self.company_id, doc_type, cession.folio)
        if not move or move.move_type != "out_invoice":
            raise Refused(
                self.env._(
                    "No invoice %(type)s with folio %(folio)s in %(company)s: import or create it first.",
                    type=doc_type.name,
                    folio=cession.folio,
                    company=self.company_id.name,
                )
            )
        if vat_key(move.commercial_partner_id.vat) != cession.receiver_vat:
            raise Refused(
                self.env._(
                    "%(move)s belongs to %(customer)s, while the cession names the debtor RUT %(receiver)s.",
                    move=move.name,
                    customer=move.commercial_partner_id.name,
                    receiver=cession.receiver_vat,
                )
            )
        if move.cobranza_dte_cession_seq >= cession.sequence:
            return "unchanged", move
        move.write(
            {
                "cobranza_dte_ceded": True,
                "cobranza_dte_assignee_vat": cession.assignee_vat,
                "cobranza_dte_assignee_name": cession.assignee_name,
                "cobranza_dte_assignee_email": cession.assignee_email,
                "cobranza_dte_cession_date": cession.moment,
                "cobranza_dte_cession_seq": cession.sequence,
            }
        )
        move.message_post(
            body=self.env._(
                "Ceded (cession %(sequence)s) to %(assignee)s, RUT %(vat)s, on %(date)s: "
                "the customer must pay them.",
                sequence=cession.sequence,
                assignee=cession.assignee_name,
                vat=cession.assignee_vat,
                date=cession.moment,
            )
        )
        return "ceded", move


class CobranzaDteImportLine(models.TransientModel):
    _name = "cobranza.dte.import.line"
    _description = "DTE import report line"
    _order = "id"

    wizard_id = fields.Many2one(comodel_name="cobranza.dte.import", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="wizard_id.company_id")
    file_name = fields.Char(string="File")
    doc_type = fields.Char(string="Type")
    folio = fields.Char()
    result = fields.Selection(
        selection=[
            ("matched", "Matched"),
            ("created", "Created (draft)"),
            ("unchanged", "Already imported"),
            ("ceded", "Cession recorded"),
            ("refused", "Refused"),
        ],
        required=True,
    )
    move_id = fields.Many2one(comodel_name="account.move", string="Document")
    message = fields.Char(string="Why")
