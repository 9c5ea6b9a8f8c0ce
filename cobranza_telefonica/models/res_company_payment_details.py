from odoo import fields, models

from ..services import rut

BANK_ACCOUNT_TYPES = [
    ("checking", "Checking account"),
    ("sight", "Sight account (Cuenta Vista / CuentaRUT)"),
    ("savings", "Savings account"),
]


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"

    cobranza_account_type = fields.Selection(
        selection=BANK_ACCOUNT_TYPES,
        string="Account type",
        help="Told to customers who pay by transfer (the payment details sent from the call screen).",
    )


# Kept apart from res_company.py so this feature merges without conflicts.
# pylint: disable=consider-merging-classes-inherited
class ResCompany(models.Model):
    _inherit = "res.company"

    cobranza_receipt_email = fields.Char(
        string="E-mail for transfer receipts",
        help="Where customers send the receipt of a transfer; empty, the company's e-mail.",
    )

    def _cobranza_transfer_data(self):
        """What a customer needs to pay this company by transfer, from its first bank account:
        dict(bank, account_type (a code of BANK_ACCOUNT_TYPES or ""), number, holder, rut, email),
        or {} without a bank account."""
        self.ensure_one()
        bank = self.partner_id.bank_ids[:1]
        if not bank:
            return {}
        body, _digit = rut.split(self.vat)
        return {
            "bank": bank.bank_id.name or "",
            "account_type": bank.cobranza_account_type or "",
            "number": bank.acc_number or "",
            "holder": bank.acc_holder_name or self.name or "",
            "rut": rut.format_rut(body) if body else (self.vat or ""),
            "email": self.cobranza_receipt_email or self.email or "",
        }
