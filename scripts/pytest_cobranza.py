"""pytest plugin of `make test` (loaded with -p beside pytest-odoo).

- Odoo 18's HttpCase serves a request only for the test Odoo's runner declares as the current
  one (``odoo.modules.module.current_test``); pytest-odoo 2.3 declares it for Odoo 19 only.
- A run fails, as Odoo's own CI does, when anything was logged at ERROR or CRITICAL level (the
  registry loading included) or when a test was skipped (a skipped tour tested nothing).
"""

import logging

import pytest

MAX_SHOWN = 20


class _ErrorLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.lines = []

    def emit(self, record):
        first_line = (record.getMessage().splitlines() or [""])[0]
        self.lines.append(f"{record.levelname} {record.name}: {first_line}")


_errors = _ErrorLog()


def pytest_sessionstart(session):
    logging.getLogger().addHandler(_errors)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    instance = getattr(item, "instance", None)
    if instance is not None:
        from odoo.modules import module

        module.current_test = instance


def _skipped(config):
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return len(reporter.stats.get("skipped", [])) if reporter else 0


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if exitstatus == 0 and (_errors.lines or _skipped(session.config)):
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = _skipped(config)
    if _errors.lines:
        terminalreporter.write_sep("!", f"{len(_errors.lines)} ERROR lines logged", red=True)
        for line in _errors.lines[:MAX_SHOWN]:
            terminalreporter.write_line(line)
    if skipped:
        terminalreporter.write_sep("!", f"{skipped} tests skipped: a skipped test tested nothing", red=True)
