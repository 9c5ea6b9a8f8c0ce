from . import cobranza_call_wizard
from . import cobranza_call_override
