from lxml import etree

from odoo import models


class IrQweb(models.AbstractModel):
    """Compile an inline template once per batch of e-mails.

    mail.render.mixin parses and compiles a mail template's body again for every recipient
    (QWeb caches only the templates of views), which was a fifth of the daily run's time on a
    first run (bench/bench_followup.py). Within a follow-up batch's e-mails the context holds
    ``cobranza_qweb_compiled``, a dict the batch owns and drops: a body compiled for one
    recipient is reused, for the same source and the same compile options (language...), by the
    next ones. Rendering itself still happens per recipient, with that recipient's values."""

    _inherit = "ir.qweb"

    def _compile(self, template):
        compiled = self.env.context.get("cobranza_qweb_compiled")
        if compiled is None or not isinstance(template, etree._Element):
            return super()._compile(template)
        key = (
            etree.tostring(template),
            tuple(self.env.context.get(name) for name in self._get_template_cache_keys()),
        )
        if key not in compiled:
            compiled[key] = super()._compile(template)
        return compiled[key]
