"""Read an Odoo test log and print "N passed, N failed" from Odoo's own report.

Exit status is non-zero when Odoo exited badly, when a test failed or errored, when no test
ran, when a test was skipped (a skipped tour tested nothing), when demo data failed to load,
or when anything was logged at ERROR or CRITICAL level (as Odoo's own CI does).
"""

import re
import sys

REPORT = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests when loading database"
)
LOG_LEVEL = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>ERROR|CRITICAL) ")
DEMO_FAILED = "demo data failed to install"
SKIPPED = re.compile(r" INFO \S+ \S+: skipped \S+ : ")


def main(log_path, odoo_rc):
    with open(log_path, encoding="utf-8", errors="replace") as log:
        lines = log.readlines()
    report = None
    errors_logged = 0
    demo_failed = any(DEMO_FAILED in line for line in lines)
    skipped = 0
    for line in lines:
        match = REPORT.search(line)
        if match:
            report = match
        if LOG_LEVEL.match(line) and not REPORT.search(line):
            errors_logged += 1
        if SKIPPED.search(line):
            skipped += 1
    if report is None:
        print(f"0 passed, 0 failed (no test report found; Odoo exited with {odoo_rc})")
        return 1
    run, failed, errors = (int(report[key]) for key in ("run", "failed", "errors"))
    passed = run - failed - errors - skipped
    print(
        f"{passed} passed, {failed + errors} failed "
        f"({errors} of them errors, {skipped} skipped, {errors_logged} ERROR lines logged)"
    )
    if demo_failed:
        print("FAILED: the module's demo data failed to install (see the log above)")
    if odoo_rc != 0 or failed or errors or errors_logged or skipped or demo_failed or run == 0:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
