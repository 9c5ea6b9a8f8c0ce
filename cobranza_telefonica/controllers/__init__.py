from . import aging_xlsx
from . import cobranza_portal
from . import cobranza_portal_payment
from . import cobranza_rating
