from . import aging_xlsx
from . import cobranza_portal
