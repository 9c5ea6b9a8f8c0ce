from . import res_company
from . import res_partner
from . import account_move
from . import cobranza_promise
from . import cobranza_promise_line
from . import cobranza_payment_plan
from . import res_config_settings
from . import account_partial_reconcile
