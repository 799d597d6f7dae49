"""Take the screenshots of the web desk and the chat shown in the docs (run by hand).

    python docs/screenshots.py [--out docs/img]

Starts a real `assistant serve` on a fresh database, plays a short round trip (a customer asks and
asks for a person, a manager claims, notes and replies) in Debian's chromium through playwright,
and saves the desk, a ticket, the chat and the reports as PNG files. Chinese text needs a CJK font
(Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from assistant.cli import main as cli  # noqa: E402
from assistant.server.process import ServiceProcess  # noqa: E402

FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def token(db: str, *who: str) -> str:
    out = io.StringIO()
    cli(["--db", db, "admin", "token", "create", *who], stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "img"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "shots.db")
        server = ServiceProcess(db, wait_s=120)
        try:
            customer, manager = token(db, "--account", "demo"), token(db, "--user", "lin", "--grant", "manager")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
                chat = browser.new_page(viewport={"width": 1100, "height": 760})
                chat.goto(server.url + "/login")
                chat.fill("input[name=token]", customer)
                chat.click("button[type=submit]")
                for n, line in enumerate(("how long does signature review take", "I want to talk to a person",
                                          "yes"), 1):
                    chat.fill("form[data-action=say] input[name=text]", line)
                    chat.press("form[data-action=say] input[name=text]", "Enter")
                    answered = chat.locator("[data-role=transcript] > li[data-from=customer] ~ li[data-from=assistant]")
                    for _ in range(200):  # the page's CSP allows no evaluated scripts: poll from here
                        if chat.locator("li[data-from=customer]").count() >= n and answered.count() >= n:
                            break
                        chat.wait_for_timeout(100)
                desk = browser.new_page(viewport={"width": 1280, "height": 800})
                desk.goto(server.url + "/login")
                desk.fill("input[name=token]", manager)
                desk.click("button[type=submit]")
                desk.wait_for_selector("[data-ticket-id]")
                desk.screenshot(path=str(out / "desk.png"))
                desk.click("[data-ticket-id] a >> nth=0")
                desk.click("form[data-action=claim] button")
                desk.fill("form[data-action=note] textarea", "Checked the carrier note: the letter is missing.")
                desk.click("form[data-action=note] button[type=submit]")
                desk.select_option("form[data-action=reply] select[data-role=canned]", index=2)
                desk.click("form[data-action=reply] button[type=submit]")
                desk.screenshot(path=str(out / "ticket.png"), full_page=True)
                chat.wait_for_selector("li[data-from=support]", timeout=15_000)
                chat.screenshot(path=str(out / "chat.png"))
                desk.goto(server.url + "/desk/reports?lang=zh")
                desk.screenshot(path=str(out / "reports-zh.png"), full_page=True)
                browser.close()
        finally:
            server.stop()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
