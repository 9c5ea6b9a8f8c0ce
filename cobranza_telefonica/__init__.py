from . import models
from . import services
from . import wizards
from . import demo
from . import report
from . import controllers
