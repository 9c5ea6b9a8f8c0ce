from . import cobranza_aging_as_of
from . import cobranza_dashboard
from . import cobranza_call_wizard
from . import cobranza_call_override
from . import cobranza_call_reassign
from . import cobranza_dte_import
