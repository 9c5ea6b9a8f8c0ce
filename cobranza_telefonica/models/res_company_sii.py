import base64

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import file_path

from ..services import sii_client


def sii_error_message(env, error):
    """The Spanish (translated) sentence for a services.sii_client.SiiError."""
    code, params = error.code, error.params
    if code == "timeout":
        return env._("The SII did not answer within %(seconds)s seconds.", seconds=params.get("seconds", "?"))
    if code == "connection":
        return env._("The SII could not be reached (%(address)s).", address=params.get("address", ""))
    if code == "html":
        return env._(
            "The SII answered with a web page instead of a SOAP answer (service down or in maintenance)."
        )
    if code == "fault":
        return env._("The SII refused the request: %(detail)s", detail=params.get("detail", ""))
    if code == "token":
        return env._(
            "The SII refused the login with the company's certificate (%(detail)s).",
            detail=params.get("detail", ""),
        )
    if code == "retry":
        return env._("The SII had an internal error (codResp -1): it will be asked again later.")
    if code == "certificate_password":
        return env._("The password of the company's digital certificate is wrong.")
    if code == "certificate":
        return env._(
            "The company's digital certificate cannot be read: upload its PKCS#12 (.p12 / .pfx) file."
        )
    if code == "rut":
        return env._("The RUT %(rut)s is not valid.", rut=params.get("rut", ""))
    return env._("The SII's answer could not be read.")


# Kept apart from res_company.py so this feature merges without conflicts.
# pylint: disable=consider-merging-classes-inherited
class ResCompanySii(models.Model):
    _inherit = "res.company"

    cobranza_sii_environment = fields.Selection(
        selection=[("certification", "Certification (maullin)"), ("production", "Production (palena)")],
        string="SII environment",
        default="certification",
        required=True,
    )
    cobranza_sii_sync = fields.Boolean(
        string="Read the SII status of invoices",
        help="Every day, ask the SII for the acceptance, claims and reception date of the company's "
        "invoices (types 33, 34 and 43). Claimed invoices leave the follow-up and the pre-legal level "
        "then acts only on invoices with executive merit.",
    )
    cobranza_sii_certificate = fields.Binary(
        string="Digital certificate (PKCS#12)",
        attachment=True,
        groups="cobranza_telefonica.group_cobranza_manager",
    )
    cobranza_sii_certificate_name = fields.Char(
        string="Certificate file name", groups="cobranza_telefonica.group_cobranza_manager"
    )
    cobranza_sii_certificate_password = fields.Char(
        string="Certificate password", groups="cobranza_telefonica.group_cobranza_manager"
    )
    cobranza_sii_claim_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Handles SII claims",
        help="Who gets the to-do when a customer claims an invoice at the SII (else the invoice's "
        "salesperson, else its collector).",
    )

    def _cobranza_sii_client(self, endpoints=None, timeout=10):
        """A SiiClient for this company with its certificate; Spanish UserError when it cannot be made."""
        self.ensure_one()
        company = self.sudo()
        try:
            key, certificate = sii_client.load_certificate(
                base64.b64decode(company.cobranza_sii_certificate or b""),
                company.cobranza_sii_certificate_password or "",
            )
        except sii_client.SiiError as error:
            raise UserError(sii_error_message(self.env, error)) from None
        return sii_client.SiiClient(
            company.cobranza_sii_environment,
            key,
            certificate,
            file_path("cobranza_telefonica/data/sii_wsdl"),
            endpoints=endpoints,
            timeout=timeout,
        )
