from . import models
from . import services
from . import demo
from . import wizards
from . import report
from . import controllers
