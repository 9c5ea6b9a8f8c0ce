"""Plain Python with no ORM: arithmetic and parsing the models call and tests run alone."""

from . import aging
from . import rut
from . import guardrails
