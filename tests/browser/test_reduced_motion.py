"""The board under prefers-reduced-motion: reduce (WCAG 2.3.3): nothing blinks and the "Who to call" strip does
not turn by itself. The HOLD pill blinked (wr-blink, infinite), so did the rollback alarm's banner, and the strip
turned every 8 s (1/3 → 2/3) whatever the viewer's setting. Now they stand still, and a "next" button turns the
strip by hand; with no preference set they blink and turn as before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from launch.services.importer import import_plan_text
from plans.kiosk import kiosk_token
from plans.models import Plan, PlanStatus
from plans.services import hold_start
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = "format: 1\nname: Calm board\nroles:\n" + "".join(
    f'  - name: Role {n}\n    primary: coord\n    phone: "+44 20 7946 000{n}"\n' for n in range(1, 6)
)

# The animations of the HOLD pill (on the board) and of an alarm banner (one put in to be measured).
ANIMATIONS = """() => {
  const banner = document.createElement("div");
  banner.className = "wr-banner alarm";
  document.getElementById("wr-root").prepend(banner);
  const names = [document.getElementById("wr-state"), banner].map((el) => getComputedStyle(el).animationName);
  banner.remove();
  return names;
}"""


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_nothing_blinks_or_turns_under_reduced_motion(browser: Any, live_server: LiveServer, motion: str) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = import_plan_text(PLAN, t0=timezone.now() + timedelta(hours=2), tz="Europe/London", coordinator=coordinator)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.COUNTDOWN)
    plan.refresh_from_db()
    hold_start(plan, by=coordinator, reason="Vendor not answering")
    link = factories.KioskLinkFactory(plan=plan, created_by=coordinator)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, reduced_motion=motion)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.clock.install()
        page.goto(f"{live_server.url}/kiosk/{kiosk_token(link)}/")
        page.wait_for_selector("#wr-contacts .wr-ct")
        assert page.inner_text("#wr-state") == "HOLD"
        first = page.inner_text("[data-ct-page]")
        assert first == "1/3"
        page.clock.run_for(3 * 8_000)
        if motion == "reduce":
            assert page.evaluate(ANIMATIONS) == ["none", "none"]
            assert page.inner_text("[data-ct-page]") == "1/3"  # it stood still
            assert page.locator(".wr-ct:visible").all_inner_texts()[0].startswith("Role 1")
            page.get_by_role("button", name="Next contacts").click()  # turned by hand
            assert page.inner_text("[data-ct-page]") == "2/3"
            assert page.locator(".wr-ct:visible").all_inner_texts()[0].startswith("Role 3")
        else:
            assert page.evaluate(ANIMATIONS) == ["wr-blink", "wr-blink"]
            assert page.inner_text("[data-ct-page]") == "1/3"  # three turns: back to the first page
            page.clock.run_for(8_000)
            assert page.inner_text("[data-ct-page]") == "2/3"
            assert page.get_by_role("button", name="Next contacts").count() == 0
    finally:
        context.close()
