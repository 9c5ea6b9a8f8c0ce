from odoo import models

from ..services import sii_client

# Days before the executive action prescribes from which the run warns.
PRESCRIPTION_WARNING_DAYS = 30


class CobranzaFollowupRunDte(models.Model):
    _inherit = "cobranza.followup.run"

    def _evaluate_move(self, move, batch, state):
        """Where the company reads the SII status, the pre-legal level acts only on invoices with
        executive merit (Ley 19.983): one without stays at the last level before it, with the
        reason; one whose executive action prescribes soon says so."""
        level = super()._evaluate_move(move, batch, state)
        if not (level and level.pre_legal and move.company_id.cobranza_sii_sync):
            return level
        if move.l10n_latam_document_type_id.code not in {str(code) for code in sii_client.REGISTRY_TYPES}:
            return level
        today = batch["today"]
        row = state[move.id]
        if not move._cobranza_has_executive_merit(today):
            previous = level.browse()
            for _offset, candidate in batch["level_offsets"]:
                if candidate == level:
                    break
                if not candidate.pre_legal:
                    previous = candidate
            row[0] = previous.id or None
            row[4] = self.env._("Pre-legal waits for executive merit (SII reception + 8 days, no claim)")
            batch["stats"]["cobranza_no_merit_count"] = batch["stats"].get("cobranza_no_merit_count", 0) + 1
            return previous
        prescription = move.cobranza_prescription_date
        if prescription and (prescription - today).days <= PRESCRIPTION_WARNING_DAYS:
            row[4] = self.env._(
                "The executive action prescribes on %(date)s", date=prescription.strftime("%d-%m-%Y")
            )
        return level
