from odoo import fields, models

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
        """What a customer needs to pay this company by transfer: its first bank account as the
        printed documents show it (``cobranza.printout._printout_banks``: bank, number, holder,
        holder_rut, account_type, a code of BANK_ACCOUNT_TYPES or "") and the e-mail for the
        receipt; {} without a bank account."""
        self.ensure_one()
        banks = self.env["cobranza.printout"]._printout_banks(self)
        if not banks:
            return {}
        return {**banks[0], "email": self.cobranza_receipt_email or self.email or ""}
