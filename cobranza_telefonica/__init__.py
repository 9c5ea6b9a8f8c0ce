from . import models
from . import services
from . import wizards
from . import demo
from . import report
from . import controllers


def post_init_hook(env):
    """On install: the overdue trend of the last 12 month ends of every company, from the as-of
    engine, so the owner's trend starts with a year of points (after the demo, when loaded)."""
    env["cobranza.aging.snapshot"]._cobranza_fill_trend()
