"""The customer's collection page: its open documents and figures, and four forms (pay online,
promise to pay, dispute, ask for a call). Reached with the link of the collection e-mails and letters (a
token of the customer's commercial entity) or by the customer's portal users at /my/cobranza.
The controller only finds the customer and hands what was posted to ``cobranza.portal``,
which decides everything; nothing is written when an action is refused."""

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.cobranza_portal import ATTACHMENT_MAX_BYTES

ACTIONS = ("promise", "dispute", "call", "pay")


class CobranzaPortalController(http.Controller):
    def _cobranza_lang(self, partner):
        """The page speaks the customer's language when it is installed, else Chilean Spanish."""
        installed = {code for code, _name in request.env["res.lang"].get_installed()}
        for lang in (partner.lang, "es_CL", "es_419"):
            if lang in installed:
                return lang
        return request.env.lang

    def _cobranza_customer(self, partner_id, access_token):
        """The customer (commercial entity, sudo) the request may see, or None: the token must be
        this customer's valid token; without a token, the user must be a portal user of it."""
        try:
            partner_id = int(partner_id)
        except (TypeError, ValueError):
            return None
        partner = request.env["res.partner"].sudo().browse(partner_id).exists()
        if not partner:
            return None
        if access_token:
            return partner if partner._cobranza_portal_token_valid(access_token) else None
        user = request.env.user
        if user._is_public() or not user.share:
            return None
        if user.partner_id.commercial_partner_id != partner:
            return None
        return partner

    def _cobranza_upload(self, name):
        """(file name, bytes) of the file posted as ``name``, or None; read no further than one
        byte past the size ``cobranza.portal`` accepts (it refuses it)."""
        upload = request.httprequest.files.get(name)
        if not upload or not upload.filename:
            return None
        return upload.filename, upload.read(ATTACHMENT_MAX_BYTES + 1)

    def _cobranza_refused(self):
        """The same page for a missing, tampered, expired, revoked or another customer's link:
        nothing tells which it was, nothing of any customer is shown."""
        return request.render(
            "cobranza_telefonica.portal_cobranza_denied", {"no_breadcrumbs": True}, status=403
        )

    def _cobranza_render(self, partner, access_token, message=None, error=None, status=200):
        Portal = request.env["cobranza.portal"].sudo()
        values = Portal._cobranza_page_values(partner)
        values.update(
            access_token=access_token or "",
            action_url=f"/cobranza/{partner.id}",
            message=message,
            error=error,
            no_breadcrumbs=bool(access_token),
            page_name="cobranza",
        )
        return request.render("cobranza_telefonica.portal_cobranza_page", values, status=status)

    @http.route("/my/cobranza", type="http", auth="user", website=True)
    def portal_my_cobranza(self, payment_tx=None, **kwargs):
        user = request.env.user
        if not user.share:
            return self._cobranza_refused()
        partner = user.partner_id.commercial_partner_id.sudo()
        request.update_context(lang=self._cobranza_lang(partner))
        partner = partner.with_context(lang=request.env.lang)
        message, error = self._cobranza_payment_status(partner, payment_tx) if payment_tx else (None, None)
        return self._cobranza_render(partner, None, message=message, error=error)

    def _cobranza_payment_status(self, partner, payment_tx):
        """(message, error) about the online payment ``payment_tx`` (the landing of Odoo's payment
        flow) when it is one of this customer's collection page, else (None, None)."""
        try:
            tx = request.env["payment.transaction"].sudo().browse(int(payment_tx)).exists()
        except (TypeError, ValueError):
            return None, None
        if not tx or tx.cobranza_partner_id != partner:
            return None, None
        env = request.env
        if tx.state == "done":
            return env._("Thank you: your payment was received."), None
        if tx.state in ("cancel", "error"):
            return None, env._("The payment was not completed: nothing was charged. You may try again.")
        return env._(
            "Your payment is being processed: the documents will show as paid once it is confirmed."
        ), None

    @http.route("/cobranza/<int:partner_id>", type="http", auth="public", website=True, methods=["GET"])
    def portal_cobranza(self, partner_id, access_token=None, payment_tx=None, **kwargs):
        partner = self._cobranza_customer(partner_id, access_token)
        request.update_context(lang=self._cobranza_lang(partner or request.env["res.partner"]))
        if not partner:
            return self._cobranza_refused()
        partner = partner.with_context(lang=request.env.lang)
        message, error = self._cobranza_payment_status(partner, payment_tx) if payment_tx else (None, None)
        return self._cobranza_render(partner, access_token, message=message, error=error)

    @http.route(
        "/cobranza/<int:partner_id>/<string:action>",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def portal_cobranza_post(self, partner_id, action, access_token=None, **post):
        """One of the forms (CSRF-checked by Odoo): done in a savepoint, so a refusal leaves
        nothing behind, and the page shown again with what happened."""
        partner = self._cobranza_customer(partner_id, access_token)
        request.update_context(lang=self._cobranza_lang(partner or request.env["res.partner"]))
        if not partner or action not in ACTIONS:
            return self._cobranza_refused()
        partner = partner.with_context(lang=request.env.lang)
        user = request.env.user
        author = user.partner_id if not user._is_public() else partner
        Portal = request.env["cobranza.portal"].sudo().with_context(lang=request.env.lang)
        env = Portal.env
        try:
            with env.cr.savepoint():
                if action == "pay":
                    # Checked here, paid through Odoo's payment page: nothing is written yet.
                    url = Portal._cobranza_pay_url(
                        partner, request.httprequest.form.getlist("move_ids"), access_token
                    )
                    return request.redirect(url, code=303, local=True)
                if action == "promise":
                    Portal._cobranza_portal_promise(
                        partner,
                        request.httprequest.form.getlist("move_ids"),
                        post.get("amount"),
                        post.get("date"),
                        author=author,
                    )
                    message = env._("Thank you: your promise to pay was recorded.")
                elif action == "dispute":
                    Portal._cobranza_portal_dispute(
                        partner,
                        post.get("move_id"),
                        post.get("kind"),
                        post.get("comment"),
                        author=author,
                        attachment=self._cobranza_upload("attachment"),
                    )
                    message = env._("Your dispute was recorded: our collection team will review it.")
                else:
                    Portal._cobranza_portal_call(
                        partner, post.get("company_id"), post.get("day"), post.get("slot"), author=author
                    )
                    message = env._("Thank you: we will call you at the time you chose.")
        except UserError as error:
            env.invalidate_all()
            return self._cobranza_render(partner, access_token, error=error.args[0], status=400)
        return self._cobranza_render(partner, access_token, message=message)
