"""Plain Python with no ORM: arithmetic and parsing the models call and tests run alone."""

from . import aging
from . import rut
from . import promise
from . import kpi
from . import priority
from . import script_render
from . import guardrails
from . import clock
from . import validation
from . import receivable
from . import discount
from . import dte_xml
from . import sii_client
from . import contact_links
