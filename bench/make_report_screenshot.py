"""Render docs/report-example.png (1280 px) and docs/report-example-400.png (400 px, a phone):
the HTML report of the demo incident in headless Chromium.

Builds the demo incident (bench/demo_incident.py) in a temporary SQLite file, exports the real
HTML report, and screenshots it with Chromium (installed with `apt-get install -y chromium`)
through bench/report_browser.py, which tests/report/test_report_chromium.py also uses.

    python bench/make_report_screenshot.py            # writes both pictures into docs/
    python bench/make_report_screenshot.py --keep-html /tmp/report.html
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_incident import build_demo
from report_browser import find_chromium, screenshot

from irbook.report import export_report
from irbook.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SHOTS = {1280: ("report-example.png", 1500), 400: ("report-example-400.png", 1800)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    parser.add_argument("--keep-html", type=Path, help="also keep the HTML report here")
    args = parser.parse_args()
    browser = find_chromium()
    if browser is None:
        sys.exit("chromium not found; install it with `apt-get install -y chromium`")
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/demo.db")
        try:
            html = export_report(build_demo(store), "html")
        finally:
            store.close()
    if args.keep_html:
        args.keep_html.write_text(html, encoding="utf-8")
    for width, (name, height) in SHOTS.items():
        out = args.out_dir / name
        screenshot(browser, html, out, width=width, height=height)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
