from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    cobranza_note_key = fields.Char(
        copy=False,
        help="Technical: what the follow-up run last wrote in the note of this collection call, "
        "so that an unchanged note is not rewritten on every run.",
    )
