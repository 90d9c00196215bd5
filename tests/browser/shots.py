"""Screenshots the browser tests take for the docs: written only when LC_SCREENSHOTS names a folder
(`LC_SCREENSHOTS=docs make test` refreshes the ones under docs/), so a test run leaves the tree clean."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page


def keep(page: Page, name: str, *, full_page: bool = False) -> None:
    folder = os.environ.get("LC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=full_page)
