"""Screenshots of the public pages: run against a server with the demo data.

python docs/screenshots/take_public.py http://127.0.0.1:8102
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8102"
HERE = Path(__file__).resolve().parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = (
    ("/public/432067/2023/", "public-list.png", {}),
    ("/public/regions/{metro}/", "public-region.png", {}),
)

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 700}, locale="ja-JP")
    page.goto(f"{BASE}/public/regions/")
    metro = page.get_by_role("link", name="熊本連携中枢都市圏").get_attribute("href")
    for url, name, _opts in SHOTS:
        target = metro if "{metro}" in url else url
        page.goto(f"{BASE}{target}" if target.startswith("/") else target)
        if name == "public-region.png":
            page.locator("details.initiative").first.evaluate("d => d.open = true")
        page.screenshot(path=str(HERE / name), full_page=True)
        print(HERE / name)
    browser.close()
