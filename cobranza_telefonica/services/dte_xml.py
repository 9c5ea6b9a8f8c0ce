"""Reading the SII's electronic tax documents (DTE) safely: a bare ``DTE``, an ``EnvioDTE`` with
several documents and an ``AEC`` (cession to a factoring company), with or without the
``http://www.sii.cl/SiiDte`` namespace, in UTF-8, ISO-8859-1 or windows-1252.

Safety: a size limit, no DOCTYPE at all (so no entity expansion, no billion laughs, no external
entity), no network and no DTD loading. Errors are ``DteError`` with a ``code`` and ``params``; the
ORM side turns them into translated messages. A document's own error (a wrong RUT, an unknown
type, totals that do not add up) never stops the other documents of the file: it is listed in
``Parsed.errors`` beside the good ``documents``.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from lxml import etree

from . import rut
from .errors import CodedError

SII_NS = "http://www.sii.cl/SiiDte"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
MAX_BYTES = 20 * 1024 * 1024

# SII code -> (kind, sign): kind invoice / debit / credit; the registry of acceptance applies to
# 33, 34 and 43 only.
DOC_TYPES = {
    33: "invoice",
    34: "invoice",
    43: "invoice",
    56: "debit",
    61: "credit",
    110: "invoice",
    111: "debit",
    112: "credit",
}
REGISTRY_TYPES = frozenset({33, 34, 43})
EXPORT_TYPES = frozenset({110, 111, 112})
# The element under DTE that holds the document, by type.
BODY_TAGS = ("Documento", "Exportaciones", "Liquidacion")
# Elements of Totales beside MntNeto / MntExe / IVA that also make up MntTotal: when one is
# present the simple sum is not checked (the SII's rules for them are many).
OTHER_TOTALS = ("ImptoReten", "IVANoRet", "CredEC", "GrntDep", "MontoNF", "IVAProp", "IVATerc", "Comisiones")

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>", re.DOTALL)
_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_INTEGER = re.compile(r"^([-+]?\d{1,18})(?:\.0*)?$")
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
ENCODINGS = {
    "utf-8": ("utf-8",),
    "utf8": ("utf-8",),
    "us-ascii": ("utf-8",),
    "ascii": ("utf-8",),
    # Files declared ISO-8859-1 often hold windows-1252 characters (curly quotes, the euro sign).
    "iso-8859-1": ("cp1252", "latin-1"),
    "iso8859-1": ("cp1252", "latin-1"),
    "latin-1": ("cp1252", "latin-1"),
    "latin1": ("cp1252", "latin-1"),
    "windows-1252": ("cp1252", "latin-1"),
    "cp1252": ("cp1252", "latin-1"),
}


class DteError(CodedError, ValueError):
    """A file or a document that cannot be read; ``code`` names the case, ``params`` fill the message."""


@dataclass(frozen=True)
class Line:
    number: int
    name: str
    quantity: float
    price: float
    amount: int
    exempt: bool


@dataclass(frozen=True)
class Reference:
    number: int
    doc_type: str
    folio: str
    date: date | None
    code: int | None
    reason: str


@dataclass(frozen=True)
class Document:
    """One DTE, with its amounts in whole pesos as the SII writes them."""

    position: int
    doc_type: int
    folio: int
    issue_date: date
    due_date: date | None
    payment_method: int | None
    issuer_vat: str
    issuer_name: str
    receiver_vat: str
    receiver_name: str
    net: int
    exempt: int
    vat: int
    vat_rate: float | None
    total: int
    currency: str
    lines: tuple = ()
    references: tuple = ()

    @property
    def kind(self):
        return DOC_TYPES[self.doc_type]

    @property
    def key(self):
        """What identifies it at the SII: issuer RUT, type, folio."""
        return (self.issuer_vat, self.doc_type, self.folio)


@dataclass(frozen=True)
class DocumentError:
    """A document of the file that was refused, and why (a DteError)."""

    position: int
    doc_type: str
    folio: str
    error: DteError


@dataclass(frozen=True)
class Cession:
    """One annotation of an AEC: the invoice ``sequence`` times ceded, to whom, when."""

    sequence: int
    doc_type: int
    folio: int
    issuer_vat: str
    receiver_vat: str
    issue_date: date | None
    total: int
    assignor_vat: str
    assignor_name: str
    assignee_vat: str
    assignee_name: str
    assignee_email: str
    assignee_address: str
    amount: int
    last_due_date: date | None
    debtor_email: str
    moment: datetime


@dataclass
class Parsed:
    kind: str  # "dte", "envio" or "aec"
    documents: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    cessions: list = field(default_factory=list)
    namespace: str = ""
    signed: bool = False


# --- reading bytes safely --------------------------------------------------------------------


def _decode(data):
    """The text of ``data`` in one of the encodings the SII's files come in, as UTF-8 bytes
    without the declaration."""
    match = _DECLARATION.match(data)
    declared = None
    if match:
        found = _ENCODING.search(match.group(0))
        declared = found.group(1).decode("ascii").lower() if found else "utf-8"
        data = data[match.end() :]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if declared is not None and declared not in ENCODINGS:
        raise DteError("encoding", encoding=declared)
    candidates = ENCODINGS[declared] if declared else ("utf-8", "cp1252", "latin-1")
    for codec in candidates:
        try:
            return data.decode(codec).encode("utf-8")
        except UnicodeDecodeError:
            continue
    raise DteError("encoding", encoding=declared or "?")


def _parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_bytes(data, max_bytes=MAX_BYTES):
    """The root element of the XML ``data`` (bytes), refusing what is too big, declares a DTD
    or entities, or is not well formed."""
    if not isinstance(data, bytes | bytearray):
        raise DteError("not_bytes")
    if len(data) > max_bytes:
        raise DteError("too_big", size=len(data), limit=max_bytes)
    if not data.strip():
        raise DteError("empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:200]:
        raise DteError("encoding", encoding="utf-16")
    if _FORBIDDEN.search(data):
        raise DteError("doctype")
    text = _decode(bytes(data))
    try:
        root = etree.fromstring(text, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise DteError("malformed", detail=str(error)[:200]) from None
    if root.getroottree().docinfo.doctype:
        raise DteError("doctype")
    return root


# --- namespace-agnostic navigation ----------------------------------------------------------


def _local(element):
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(element, name):
    return [child for child in element if _local(child) == name]


def _child(element, *path):
    for name in path:
        if element is None:
            return None
        element = next((child for child in element if _local(child) == name), None)
    return element


def _text(element, *path):
    found = _child(element, *path)
    if found is None or found.text is None:
        return ""
    return found.text.strip()


def _int(element, *path, required=False, what=None):
    value = _text(element, *path)
    if not value:
        if required:
            raise DteError("missing", field=what or path[-1])
        return 0
    match = _INTEGER.match(value)
    if not match:
        raise DteError("not_number", field=what or path[-1], value=value[:40])
    return int(match.group(1))


def _float(element, *path):
    value = _text(element, *path)
    if not value:
        return 0.0
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) >= 1e15:
        raise DteError("not_number", field=path[-1], value=value[:40])
    return number


def _date(element, *path, required=False):
    value = _text(element, *path)
    if not value:
        if required:
            raise DteError("missing", field=path[-1])
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise DteError("bad_date", field=path[-1], value=value[:40]) from None


def _datetime(element, *path):
    value = _text(element, *path)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value[:19])
    except ValueError:
        raise DteError("bad_date", field=path[-1], value=value[:40]) from None


def _rut(element, *path, what):
    """A RUT read from the file, checked and spelled as Odoo stores it ('76086428-5')."""
    value = _text(element, *path)
    if not value:
        raise DteError("missing", field=path[-1])
    body, digit = rut.split(value)
    if not rut.is_valid(value):
        raise DteError("bad_rut", who=what, rut=value[:20])
    return f"{body}-{digit}"


# --- documents ------------------------------------------------------------------------------


def _body(dte):
    for name in BODY_TAGS:
        body = _child(dte, name)
        if body is not None:
            return body
    raise DteError("no_document")


def _header_ids(dte):
    """(type, folio) as text, for the report of a document that could not be read."""
    body = next((_child(dte, name) for name in BODY_TAGS if _child(dte, name) is not None), None)
    if body is None:
        return "", ""
    return _text(body, "Encabezado", "IdDoc", "TipoDTE"), _text(body, "Encabezado", "IdDoc", "Folio")


def read_document(dte, position=1):
    """The Document of one ``DTE`` element; DteError when it cannot be taken as it is."""
    body = _body(dte)
    header = _child(body, "Encabezado")
    if header is None:
        raise DteError("missing", field="Encabezado")
    id_doc = _child(header, "IdDoc")
    doc_type = _int(id_doc, "TipoDTE", required=True, what="TipoDTE")
    if doc_type not in DOC_TYPES:
        raise DteError("doc_type", doc_type=doc_type)
    folio = _int(id_doc, "Folio", required=True, what="Folio")
    if folio <= 0:
        raise DteError("not_number", field="Folio", value=str(folio))
    issuer_vat = _rut(header, "Emisor", "RUTEmisor", what="issuer")
    receiver_vat = _rut(header, "Receptor", "RUTRecep", what="receiver")
    totals = _child(header, "Totales")
    if totals is None:
        raise DteError("missing", field="Totales")
    net = _int(totals, "MntNeto")
    exempt = _int(totals, "MntExe")
    vat = _int(totals, "IVA")
    total = _int(totals, "MntTotal", required=True, what="MntTotal")
    rate = _text(totals, "TasaIVA")
    if doc_type in EXPORT_TYPES:
        # Export documents: amounts in the foreign currency; MntExe is the total, no IVA.
        currency = _text(totals, "TpoMoneda") or "PESO CL"
    else:
        currency = "PESO CL"
    if not any(_child(totals, name) is not None for name in OTHER_TOTALS) and net + exempt + vat != total:
        raise DteError(
            "totals", net=net, exempt=exempt, vat=vat, total=total, difference=total - (net + exempt + vat)
        )
    lines = []
    for detail in _children(body, "Detalle"):
        lines.append(
            Line(
                number=_int(detail, "NroLinDet"),
                name=_text(detail, "NmbItem")[:256],
                quantity=_float(detail, "QtyItem") or 1.0,
                price=_float(detail, "PrcItem"),
                amount=_int(detail, "MontoItem"),
                exempt=_text(detail, "IndExe") in ("1", "2", "6"),
            )
        )
    references = []
    for reference in _children(body, "Referencia"):
        code = _text(reference, "CodRef")
        references.append(
            Reference(
                number=_int(reference, "NroLinRef"),
                doc_type=_text(reference, "TpoDocRef"),
                folio=_text(reference, "FolioRef"),
                date=_date(reference, "FchRef"),
                code=int(code) if code.isdigit() else None,
                reason=_text(reference, "RazonRef")[:256],
            )
        )
    fma = _text(id_doc, "FmaPago")
    return Document(
        position=position,
        doc_type=doc_type,
        folio=folio,
        issue_date=_date(id_doc, "FchEmis", required=True),
        due_date=_date(id_doc, "FchVenc"),
        payment_method=int(fma) if fma.isdigit() else None,
        issuer_vat=issuer_vat,
        issuer_name=_text(header, "Emisor", "RznSoc") or _text(header, "Emisor", "RznSocEmisor"),
        receiver_vat=receiver_vat,
        receiver_name=_text(header, "Receptor", "RznSocRecep"),
        net=net,
        exempt=exempt,
        vat=vat,
        vat_rate=float(rate) if rate else None,
        total=total,
        currency=currency,
        lines=tuple(lines),
        references=tuple(references),
    )


def _read_dtes(parsed, dtes):
    for position, dte in enumerate(dtes, start=1):
        try:
            parsed.documents.append(read_document(dte, position))
        except DteError as error:
            doc_type, folio = _header_ids(dte)
            parsed.errors.append(DocumentError(position, doc_type, folio, error))


def _read_cession(element):
    doc = _child(element, "DocumentoCesion")
    if doc is None:
        raise DteError("missing", field="DocumentoCesion")
    id_dte = _child(doc, "IdDTE")
    if id_dte is None:
        raise DteError("missing", field="IdDTE")
    doc_type = _int(id_dte, "TipoDTE", required=True, what="TipoDTE")
    if doc_type not in DOC_TYPES:
        raise DteError("doc_type", doc_type=doc_type)
    moment = _datetime(doc, "TmstCesion")
    if moment is None:
        raise DteError("missing", field="TmstCesion")
    return Cession(
        sequence=_int(doc, "SeqCesion", required=True, what="SeqCesion"),
        doc_type=doc_type,
        folio=_int(id_dte, "Folio", required=True, what="Folio"),
        issuer_vat=_rut(id_dte, "RUTEmisor", what="issuer"),
        receiver_vat=_rut(id_dte, "RUTReceptor", what="receiver"),
        issue_date=_date(id_dte, "FchEmis"),
        total=_int(id_dte, "MntTotal"),
        assignor_vat=_rut(doc, "Cedente", "RUT", what="assignor"),
        assignor_name=_text(doc, "Cedente", "RazonSocial"),
        assignee_vat=_rut(doc, "Cesionario", "RUT", what="assignee"),
        assignee_name=_text(doc, "Cesionario", "RazonSocial"),
        assignee_email=_text(doc, "Cesionario", "eMail"),
        assignee_address=_text(doc, "Cesionario", "Direccion"),
        amount=_int(doc, "MontoCesion"),
        last_due_date=_date(doc, "UltimoVencimiento"),
        debtor_email=_text(doc, "eMailDeudor"),
        moment=moment,
    )


def parse(data, max_bytes=MAX_BYTES):
    """Read the DTE, EnvioDTE or AEC in ``data`` (bytes). File-level problems raise DteError;
    each document's own problem goes to ``errors``."""
    root = parse_bytes(data, max_bytes=max_bytes)
    name = _local(root)
    namespace = etree.QName(root).namespace or ""
    if namespace not in ("", SII_NS):
        raise DteError("namespace", namespace=namespace[:100])
    signed = any(etree.QName(child).namespace == DSIG_NS for child in root if isinstance(child.tag, str))
    if name == "DTE":
        parsed = Parsed("dte", namespace=namespace, signed=signed)
        _read_dtes(parsed, [root])
    elif name == "EnvioDTE":
        parsed = Parsed("envio", namespace=namespace, signed=signed)
        set_dte = _child(root, "SetDTE")
        dtes = _children(set_dte, "DTE") if set_dte is not None else []
        if not dtes:
            raise DteError("no_document")
        _read_dtes(parsed, dtes)
    elif name == "AEC":
        parsed = Parsed("aec", namespace=namespace, signed=signed)
        cessions = _child(root, "DocumentoAEC", "Cesiones")
        if cessions is None:
            raise DteError("missing", field="Cesiones")
        _read_dtes(
            parsed, [dte for ceded in _children(cessions, "DTECedido") for dte in _dte_of_ceded(ceded)]
        )
        for element in _children(cessions, "Cesion"):
            parsed.cessions.append(_read_cession(element))
        if not parsed.cessions:
            raise DteError("missing", field="Cesion")
        parsed.cessions.sort(key=lambda cession: cession.sequence)
    else:
        raise DteError("root", root=name[:60])
    return parsed


def _dte_of_ceded(ceded):
    dte = _child(ceded, "DocumentoDTECedido", "DTE")
    return [dte] if dte is not None else []


# --- schemas --------------------------------------------------------------------------------

_SCHEMAS = {}
SCHEMA_FILES = {"dte": "DTE_v10.xsd", "envio": "EnvioDTE_v10.xsd", "aec": "AEC_v10.xsd"}


def schema_errors(data, kind, xsd_dir):
    """The SII schema's complaints about ``data`` (bytes of a signed file in the SII namespace),
    as a list of strings (empty when valid). The schemas require the signatures, so they apply
    only to files as the SII exchanges them, not to unsigned copies from the portal."""
    path = Path(xsd_dir) / SCHEMA_FILES[kind]
    key = str(path)
    if key not in _SCHEMAS:
        schema_parser = etree.XMLParser(resolve_entities=False, no_network=True)
        _SCHEMAS[key] = etree.XMLSchema(etree.parse(key, parser=schema_parser))
    schema = _SCHEMAS[key]
    tree = etree.ElementTree(parse_bytes(data))
    if schema.validate(tree):
        return []
    return [f"{error.line}: {error.message}" for error in schema.error_log][:10]
