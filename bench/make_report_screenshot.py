"""Render docs/report-example.png: the HTML report of the demo incident in headless Chromium.

Builds the demo incident (bench/demo_incident.py) in a temporary SQLite file, exports the real
HTML report, and screenshots it with Chromium (installed with `apt-get install -y chromium`).

    python bench/make_report_screenshot.py            # writes docs/report-example.png
    python bench/make_report_screenshot.py --keep-html /tmp/report.html
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_incident import build_demo

from irbook.report import export_report
from irbook.store import open_store

ROOT = Path(__file__).resolve().parent.parent
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report-example.png")
    parser.add_argument("--size", default="1200,1600", help="window width,height in pixels")
    parser.add_argument("--keep-html", type=Path, help="also keep the HTML report here")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium not found; install it with `apt-get install -y chromium`")
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/demo.db")
        try:
            html = export_report(build_demo(store), "html")
        finally:
            store.close()
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        if args.keep_html:
            shutil.copyfile(page, args.keep_html)
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={args.out.resolve()}",
                f"--window-size={args.size}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
