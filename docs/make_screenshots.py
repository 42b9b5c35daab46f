"""Regenerate the dashboard screenshots in docs/screenshots/ from the demo data, in Debian's Chromium.

    .venv/bin/python docs/make_screenshots.py

Chinese text needs a CJK font on the machine (Debian: `apt-get install fonts-wqy-microhei`).
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from bot.app import create_app  # noqa: E402
from data import open_db  # noqa: E402
from data.clock import utcnow  # noqa: E402
from data.demo import seed_demo  # noqa: E402
from data.demo_web import PASSWORD  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
# (file, account, path, viewport width): the overview and the report on a desk, a timeline on a phone.
SHOTS = (("dashboard-overview.png", "admin", "/admin/", 1100),
         ("dashboard-timeline.png", "mali", "/admin/recipients/1", 390),
         ("dashboard-report.png", "minzhengju", "/admin/reports", 1100))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "demo.db"
        db = open_db(db_path)
        seed_demo(db, utcnow(), dashboard=True)
        db.close()
        app = create_app(env={"LAOXIAO_DB": str(db_path), "WECHAT_TOKEN": "screenshots",
                              "LAOXIAO_PHRASES": str(Path(folder) / "phrases.tsv"), "LAOXIAO_LOG_LEVEL": "WARNING"})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--headless", "--no-sandbox"])
            for name, username, path, width in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(base + "/admin/login")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(base + "/admin/")
                page.goto(base + path)
                page.screenshot(path=str(OUT / name), full_page=True)
                page.close()
                print(OUT / name)
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
