"""axe-core (from the npm registry, pinned) audits the demo page and the widget in headless Chromium.

At a desktop (1280x800) and a phone (360x740) viewport, on the real assistant, three states are
audited: the demo page with the widget closed; the widget open with the consent question and its
buttons; and the emergency card with the doctor's summary. No violation of impact serious or
critical is allowed (the list is printed on failure). axe-core is fetched by `make webchat`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Page, expect

from tests.integration.web.widget_driver import ChatWidget, npm_file
from tooling.stack import Stack

ROOT = Path(__file__).resolve().parents[3]
CONSENT = yaml.safe_load((ROOT / "data" / "responses" / "consent.yml").read_text())["responses"]
AGREE = CONSENT["utter_consent"][0]["buttons"][0]["title"]
BLOCKING_IMPACTS = ["serious", "critical"]
VIEWPORTS = {"desktop-1280": (1280, 800), "phone-360": (360, 740)}
EMERGENCY_MESSAGE = "since yesterday I can't feel my bum or my inner thighs"
MAX_NODES_SHOWN = 5  # per violation, in the failure message

# axe.run over the whole document; only the violations, summarised for the failure message.
AUDIT_JS = """
async (impacts) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').join(' ')),
  }));
}
"""


def audit(page: Page, state: str) -> list[dict[str, Any]]:
    """The serious and critical violations on the page now, each tagged with ``state``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(npm_file("axe-core", "axe.min.js")))
    found: list[dict[str, Any]] = page.evaluate(AUDIT_JS, BLOCKING_IMPACTS)
    return [{**v, "state": state} for v in found]


def report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['state']}] {v['impact']} {v['id']}: {v['help']}")
        lines += [f"    {n}" for n in v["nodes"][:MAX_NODES_SHOWN]]
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_no_serious_or_critical_axe_violations(chromium, real_bot: Stack, viewport: str) -> None:
    width, height = VIEWPORTS[viewport]
    # bypass_csp only lets the test inject axe-core: the page's policy allows no inline script
    context = chromium.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    chat = ChatWidget(page)
    page.goto(real_bot.rasa_url + "/")
    expect(chat.launcher).to_be_visible()
    violations = audit(page, f"{viewport} demo page")

    chat.open_panel()
    chat.wait_ready()
    chat.send_text("hi")
    expect(chat.replies.get_by_role("button", name=AGREE, exact=True)).to_be_visible()
    violations += audit(page, f"{viewport} widget with buttons")

    chat.click_button(AGREE)
    chat.send_text(EMERGENCY_MESSAGE)
    chat.wait_for_card("emergency")
    chat.wait_for_summary()
    violations += audit(page, f"{viewport} emergency card and summary")

    print(f"axe-core at {viewport}: {len(violations)} serious or critical violations")
    assert chat.errors == [], chat.errors
    context.close()
    assert violations == [], "axe-core found:\n" + report(violations)
