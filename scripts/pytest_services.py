"""pytest plugin of `make test-fast`: the tests of services/ (test_*services.py) with no database.

They import ``cobranza_telefonica.services`` and Odoo's ``BaseCase``, nothing of the ORM, so the
add-on's ``__init__`` (which loads the models) is not run: its package and its tests' package are
registered as bare packages instead. pytest-odoo itself is not loaded (it opens a registry); its two
patches that let pytest drive Odoo's TestCase are applied.
"""

import sys
import types
from pathlib import Path

import pytest_odoo

ADDON = Path(__file__).resolve().parent.parent / "cobranza_telefonica"


def _bare_package(name, path):
    package = types.ModuleType(name)
    package.__path__ = [str(path)]
    package.__file__ = str(path / "__init__.py")
    sys.modules[name] = package


def pytest_configure(config):
    from odoo.tools import config as odoo_config

    odoo_config["test_enable"] = True  # Odoo logs an error when its test framework is imported otherwise
    _bare_package("cobranza_telefonica", ADDON)
    _bare_package("cobranza_telefonica.tests", ADDON / "tests")
    pytest_odoo.support_subtest()
    pytest_odoo.disable_odoo_test_retry()
