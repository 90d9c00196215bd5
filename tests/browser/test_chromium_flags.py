"""The Chromium the browser tests drive does not build the address bar's popup for every page it opens, and
still has every feature Playwright turns off turned off (tests/chromium.py: Chromium reads only the last
``--disable-features``, so the suite's one repeats Playwright's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.chromium import NOT_USED, disabled_features, playwright_disabled_features

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_the_installed_playwrights_features_are_read_and_kept() -> None:
    theirs = playwright_disabled_features()
    assert theirs, "Playwright's driver no longer lists its disabledFeatures as tests/chromium.py reads them"
    assert "PaintHolding" in theirs
    ours = disabled_features().removeprefix("--disable-features=").split(",")
    assert set(theirs) <= set(ours)
    assert set(NOT_USED) <= set(ours)


def test_a_page_opens_without_the_address_bars_popup_pages(browser: Browser) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<h1>Launch</h1>")
        session = browser.new_browser_cdp_session()
        targets = session.send("Target.getTargets", {"filter": [{}]})["targetInfos"]
        session.detach()
    finally:
        context.close()
    urls = [target["url"] for target in targets]
    assert not [url for url in urls if "top-chrome" in url], urls
    assert any(target["type"] == "page" for target in targets)
