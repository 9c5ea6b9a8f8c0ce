from . import cobranza_aging_as_of
from . import cobranza_dashboard
