"""pytest plugin of `make test` (loaded with -p beside pytest-odoo).

- Odoo 18's HttpCase serves a request only for the test Odoo's runner declares as the current
  one (``odoo.modules.module.current_test``); pytest-odoo 2.3 declares it for Odoo 19 only.
- A run fails, as Odoo's own CI does, when anything was logged at ERROR or CRITICAL level (the
  registry loading included) or when a test was skipped (a skipped tour tested nothing), but for
  the skips of ALLOWED_SKIPS.
"""

import logging

import pytest

MAX_SHOWN = 20
# (test name, skip reason): Odoo's own sub-tests that need Enterprise's accounting. In Community an
# invoice goes straight to "paid", so two sub-tests of this account test skip themselves (Odoo's
# runner does not count skipped sub-tests; pytest does).
ALLOWED_SKIPS = {("test_invoice_paid_hook_called_in_various_scenarios", "Accounting not installed")}


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


def _skips(config):
    """(unexpected, allowed) skipped reports."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    unexpected, allowed = [], []
    for report in reporter.stats.get("skipped", []) if reporter else []:
        text = str(report.longrepr)
        expected = any(name in report.nodeid and reason in text for name, reason in ALLOWED_SKIPS)
        (allowed if expected else unexpected).append(report)
    return unexpected, allowed


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if exitstatus == 0 and (_errors.lines or _skips(session.config)[0]):
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    unexpected, allowed = _skips(config)
    if _errors.lines:
        terminalreporter.write_sep("!", f"{len(_errors.lines)} ERROR lines logged", red=True)
        for line in _errors.lines[:MAX_SHOWN]:
            terminalreporter.write_line(line)
    if allowed:
        terminalreporter.write_line(
            f"{len(allowed)} skipped sub-tests allowed (Odoo's own, they need Enterprise's accounting): "
            + ", ".join(sorted({report.nodeid.rsplit("::", 1)[-1] for report in allowed}))
        )
    if unexpected:
        terminalreporter.write_sep(
            "!", f"{len(unexpected)} tests skipped: a skipped test tested nothing", red=True
        )
        for report in unexpected:
            terminalreporter.write_line(f"{report.nodeid}: {report.longrepr}")
