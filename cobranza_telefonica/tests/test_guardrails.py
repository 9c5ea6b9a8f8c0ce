from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..services import guardrails
from ..services.guardrails import Rules, check


@tagged("post_install", "-at_install")
class TestGuardrailFunctions(BaseCase):
    """The Ley 21.320 windows, without the ORM. 2026-03-16 is a Monday."""

    monday_noon = datetime(2026, 3, 16, 12, 0)

    def test_allowed_inside_window(self):
        decision = check("call", self.monday_noon, Rules())
        self.assertTrue(decision.allowed)
        self.assertEqual(decision.reason, "")
        self.assertEqual(decision.next_allowed, self.monday_noon)

    def test_sunday_moves_to_monday_morning(self):
        decision = check("call", datetime(2026, 3, 22, 12, 0), Rules())
        self.assertFalse(decision.allowed)
        self.assertEqual(decision.reason, "weekday")
        self.assertEqual(decision.next_allowed, datetime(2026, 3, 23, 8, 0))
        self.assertTrue(
            check("call", datetime(2026, 3, 22, 12, 0), Rules(weekdays=frozenset(range(7)))).allowed
        )

    def test_hours(self):
        late = check("email", datetime(2026, 3, 16, 21, 0), Rules())
        self.assertEqual((late.allowed, late.reason), (False, "hours"))
        self.assertEqual(late.next_allowed, datetime(2026, 3, 17, 8, 0))
        early = check("email", datetime(2026, 3, 16, 7, 59), Rules())
        self.assertEqual(early.next_allowed, datetime(2026, 3, 16, 8, 0))
        self.assertFalse(check("call", datetime(2026, 3, 16, 20, 0), Rules()).allowed, "20:00 is already out")
        # Saturday 21:00 -> Monday 08:00 (Sunday skipped)
        self.assertEqual(
            check("call", datetime(2026, 3, 21, 21, 0), Rules()).next_allowed, datetime(2026, 3, 23, 8, 0)
        )

    def test_holidays_chain(self):
        holidays = {date(2026, 4, 3), date(2026, 4, 4)}
        decision = check("call", datetime(2026, 4, 3, 10, 0), Rules(), holidays=holidays)
        self.assertEqual((decision.allowed, decision.reason), (False, "holiday"))
        self.assertEqual(decision.next_allowed, datetime(2026, 4, 6, 8, 0))
        self.assertTrue(
            check("call", datetime(2026, 4, 3, 10, 0), Rules(skip_holidays=False), holidays=holidays).allowed
        )

    def test_one_call_per_week(self):
        history = [datetime(2026, 3, 16, 10, 0)]
        decision = check("call", datetime(2026, 3, 18, 10, 0), Rules(), history)
        self.assertEqual((decision.allowed, decision.reason), (False, "calls_week"))
        self.assertEqual(decision.next_allowed, datetime(2026, 3, 23, 10, 0))
        self.assertTrue(check("call", datetime(2026, 3, 23, 10, 0), Rules(), history).allowed)
        self.assertTrue(
            check("visit", datetime(2026, 3, 18, 10, 0), Rules(max_calls_per_week=2), history).allowed
        )
        self.assertFalse(
            check("visit", datetime(2026, 3, 18, 10, 0), Rules(), history).allowed, "visits count as calls"
        )
        self.assertTrue(
            check("email", datetime(2026, 3, 18, 10, 0), Rules(), history).allowed,
            "calls do not limit e-mails",
        )

    def test_limit_lands_on_sunday(self):
        history = [datetime(2026, 3, 15, 9, 0)]  # a Sunday contact (e.g. the debtor called)
        decision = check("call", datetime(2026, 3, 17, 9, 0), Rules(), history)
        self.assertEqual(
            decision.next_allowed, datetime(2026, 3, 23, 8, 0), "the Sunday limit moves on to Monday"
        )

    def test_messages_two_days_apart_two_per_week(self):
        history = [datetime(2026, 3, 16, 9, 0)]
        gap = check("sms", datetime(2026, 3, 17, 9, 0), Rules(), history)
        self.assertEqual((gap.allowed, gap.reason), (False, "messages_gap"))
        self.assertEqual(gap.next_allowed, datetime(2026, 3, 18, 9, 0))
        history.append(datetime(2026, 3, 18, 9, 0))
        week = check("email", datetime(2026, 3, 20, 9, 0), Rules(), history)
        self.assertEqual((week.allowed, week.reason), (False, "messages_week"))
        self.assertEqual(week.next_allowed, datetime(2026, 3, 23, 9, 0))

    def test_disabled_and_letters(self):
        sunday = datetime(2026, 3, 22, 23, 0)
        self.assertTrue(check("call", sunday, Rules(enabled=False)).allowed)
        self.assertTrue(check("letter", sunday, Rules()).allowed, "letters go by post")
        with self.assertRaises(ValueError):
            check("pigeon", sunday, Rules())
        with self.assertRaises(ValueError):
            guardrails._next_window_start(sunday, Rules(hour_from=10, hour_to=9), set())
