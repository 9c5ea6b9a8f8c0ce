from odoo.tests import BaseCase, tagged

from ..services import priority, script_render


@tagged("post_install", "-at_install")
class TestScriptRender(BaseCase):
    def test_placeholders(self):
        self.assertEqual(
            script_render.placeholders_in("{customer} owes {total_due} {customer}"), ["customer", "total_due"]
        )
        self.assertEqual(script_render.unknown_placeholders("Hola {customer}, {monto} {x1}"), ["monto", "x1"])
        self.assertEqual(script_render.unknown_placeholders(""), [])
        self.assertEqual(script_render.unknown_placeholders(None), [])

    def test_render_escapes(self):
        html = script_render.render(
            "Hola {contact} <b>\nDebe {total_due} {typo}",
            {"contact": "Ana <script>", "total_due": "$ 1.000"},
        )
        self.assertEqual(html, "Hola Ana &lt;script&gt; &lt;b&gt;<br/>Debe $ 1.000 {typo}")

    def test_braced(self):
        self.assertEqual(script_render.braced(["customer", "total_due"]), "{customer}, {total_due}")

    def test_render_list_and_missing(self):
        html = script_render.render("{invoices}|{bank_account}", {"invoices": ["FAC 1", "FAC <2>"]})
        self.assertEqual(html, "<ul><li>FAC 1</li><li>FAC &lt;2&gt;</li></ul>|")


@tagged("post_install", "-at_install")
class TestGreeting(BaseCase):
    def test_greeting_by_local_hour(self):
        self.assertEqual(
            [script_render.greeting_kind(hour) for hour in (3, 5, 8, 11, 12, 19, 20, 23)],
            ["evening", "morning", "morning", "morning", "afternoon", "afternoon", "evening", "evening"],
        )


class TestPriority(BaseCase):
    def test_score(self):
        self.assertEqual(priority.priority_score(100000, 30), 3000000.0)
        self.assertEqual(priority.priority_score(100000, 30, 1.5), 4500000.0)
        self.assertEqual(priority.priority_score(100000, 0), 0.0)
        self.assertEqual(priority.priority_score(0, 30), 0.0)
        self.assertEqual(priority.risk_factor("high"), 1.0)
        self.assertEqual(priority.risk_factor(False), 1.0)
        self.assertEqual(priority.risk_factor("A"), 1.0)
        self.assertEqual(priority.risk_factor("C"), 2.0)
        self.assertGreater(priority.risk_factor("C"), priority.risk_factor("B"))
