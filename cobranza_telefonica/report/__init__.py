from . import cobranza_printout
from . import customer_statement
from . import cobranza_letter
