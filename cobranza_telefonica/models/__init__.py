from . import res_company
from . import res_partner
from . import account_move
from . import cobranza_promise
from . import cobranza_promise_line
from . import cobranza_aging_report
from . import cobranza_aging_snapshot
