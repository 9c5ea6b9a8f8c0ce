"""Online payment from the collection page through Odoo's own payment flow: ``/payment/pay``
shows the payment options for the amount owed (signed by ``cobranza.portal``), its form posts to
the transaction route below, which checks the documents again and creates the standard
``payment.transaction`` on those invoices; Odoo confirms, posts and reconciles the payment."""

from urllib.parse import urlencode

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.http import request, route

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.payment import utils as payment_utils


class CobranzaPaymentPortal(PaymentPortal):
    def _cobranza_landing(self, partner, page_token):
        """The collection page the customer comes back to after paying (the link's token for a
        visitor, /my/cobranza for a portal user)."""
        if page_token and partner._cobranza_portal_token_valid(page_token):
            return f"/cobranza/{partner.id}?{urlencode({'access_token': page_token})}"
        return "/my/cobranza"

    def _cobranza_checked(self, partner_id, moves_key, token):
        """(customer, payment values) when ``token`` signs these documents for the amount they
        still owe now; a clear message otherwise (nothing of another customer is told)."""
        Portal = request.env["cobranza.portal"].sudo()
        partner = request.env["res.partner"].sudo().browse(self._cast_as_int(partner_id)).exists()
        refused = request.env._("This payment is no longer valid: open your collection page again.")
        if not partner or not moves_key:
            raise ValidationError(refused)
        try:
            values = Portal._cobranza_pay_values(partner, str(moves_key).split("-"))
        except UserError as error:
            raise ValidationError(error.args[0]) from None
        if values["key"] != moves_key or not payment_utils.check_access_token(
            token, partner.id, values["amount"], values["currency"].id, values["key"]
        ):
            raise ValidationError(refused)
        return partner, values

    def _get_extra_payment_form_values(self, **kwargs):
        """Odoo's payment page opened from the collection page: its form pays through our
        transaction route and comes back to the collection page."""
        form_values = super()._get_extra_payment_form_values(**kwargs)
        moves_key = kwargs.get("cobranza_moves")
        if moves_key:
            partner, values = self._cobranza_checked(
                kwargs.get("cobranza_partner_id"),
                moves_key,
                kwargs.get("cobranza_token"),
            )
            form_values.update(
                {
                    "transaction_route": f"/cobranza/{partner.id}/transaction/{values['key']}",
                    "landing_route": self._cobranza_landing(partner, kwargs.get("cobranza_page_token")),
                    "access_token": kwargs.get("cobranza_token"),
                }
            )
        return form_values

    @route("/cobranza/<int:partner_id>/transaction/<string:moves_key>", type="json", auth="public")
    def cobranza_transaction(self, partner_id, moves_key, access_token=None, **kwargs):
        """Create the draft transaction of the documents signed by ``access_token`` for the
        amount the receivable figure says they owe (whatever amount the browser sends), with a
        provider of the documents' company, and return its processing values."""
        partner, values = self._cobranza_checked(partner_id, moves_key, access_token)
        self._validate_transaction_kwargs(kwargs)
        if kwargs.get("is_validation"):
            raise ValidationError(
                request.env._("This payment is no longer valid: open your collection page again.")
            )
        if kwargs.get("flow") == "token":
            provider = (
                request.env["payment.token"]
                .sudo()
                .browse(self._cast_as_int(kwargs.get("token_id")))
                .provider_id
            )
        else:
            provider = (
                request.env["payment.provider"].sudo().browse(self._cast_as_int(kwargs.get("provider_id")))
            )
        if not provider.exists() or provider.company_id != values["company"]:
            raise ValidationError(request.env._("Choose one of the payment options shown."))
        user = request.env.user
        payer = user.partner_id if not user._is_public() else partner
        landing = kwargs.get("landing_route") or ""
        if not (landing == "/my/cobranza" or landing.startswith(f"/cobranza/{partner.id}?access_token=")):
            landing = "/my/cobranza"
        kwargs.update(
            amount=values["amount"],
            currency_id=values["currency"].id,
            partner_id=payer.id,
            landing_route=landing,
            reference_prefix=None,
        )
        tx_sudo = self._create_transaction(
            custom_create_values={
                "invoice_ids": [Command.set(values["moves"].ids)],
                "cobranza_partner_id": partner.id,
            },
            **kwargs,
        )
        separator = "&" if "?" in landing else "?"
        tx_sudo.landing_route = f"{landing}{separator}payment_tx={tx_sudo.id}"
        return tx_sudo._get_processing_values()
