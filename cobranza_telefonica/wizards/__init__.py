from . import cobranza_aging_as_of
