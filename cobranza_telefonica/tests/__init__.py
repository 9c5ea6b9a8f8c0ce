from . import test_services
from . import test_install_demo
from . import test_security
from . import test_ui
from . import test_i18n
from . import test_collector
from . import test_guardrails
from . import test_followup
