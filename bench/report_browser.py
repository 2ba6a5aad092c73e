"""Headless Chromium for the HTML report: screenshots, and what a reader would see on the page.

Used by bench/make_report_screenshot.py (the README picture) and by
tests/report/test_report_chromium.py. ``inspect`` loads a copy of the page with a small measuring
script added (the report itself has no script) and reads the result back through Chromium's DOM
(``--dump-dom``): the visible text, the words that the layout broke across two lines, and the text
drawn smaller than 11 CSS pixels.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
    "--force-device-scale-factor=1",
]
# Only a guard against a browser that hangs; nothing is measured against it.
HANG_GUARD_SECONDS = 600

MEASURE = r"""
<script>
(function () {
  const main = document.querySelector("main");
  const broken = [], small = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const skip = (el) => el.closest(".hash, style, script, svg");
  // A word on two lines is fine when the break follows "-" or "/" (a hyphenated word, a path);
  // it is broken when the line ends between two letters or digits ("don" / "e").
  const top = (node, i) => {
    const r = document.createRange();
    r.setStart(node, i); r.setEnd(node, i + 1);
    const box = Array.from(r.getClientRects()).filter((b) => b.width > 0)[0];
    return box ? Math.round(box.top) : null;
  };
  const midWord = (node, start, word) => {
    for (let i = 1; i < word.length; i++) {
      const before = top(node, start + i - 1), after = top(node, start + i);
      if (before !== null && after !== null && after > before) {
        if (/[A-Za-z0-9]/.test(word[i - 1]) && /[A-Za-z0-9]/.test(word[i])) return true;
      }
    }
    return false;
  };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip(el)) continue;
    const re = /\S+/g;
    let m, visible = false;
    while ((m = re.exec(node.data)) !== null) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
      if (rects.length) visible = true;
      const tops = new Set(rects.map((r) => Math.round(r.top)));
      if (tops.size > 1 && midWord(node, m.index, m[0])) broken.push(m[0]);
    }
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (visible && size < 11) small.push(node.data.trim().slice(0, 40) + " (" + size + "px)");
  }
  for (const svg of main.querySelectorAll("svg")) {
    const box = svg.getBoundingClientRect();
    if (!box.width) continue;  // not shown at this width
    const scale = box.width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll("text")) {
      const size = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (size < 11) small.push("svg: " + t.textContent.slice(0, 40) + " (" + size.toFixed(1) + "px)");
    }
  }
  parent.document.getElementById("irbook-measure").textContent = JSON.stringify({
    text: main.innerText, broken: broken, small: small,
    width: document.documentElement.scrollWidth, window: window.innerWidth,
    wide: Array.from(main.querySelectorAll("*")).filter(
      (e) => e.getBoundingClientRect().right > window.innerWidth + 1
    ).slice(0, 5).map((e) => e.tagName + "." + e.className + ": " + e.textContent.slice(0, 60)),
  });
})();
</script>
"""


@dataclass(frozen=True)
class Page:
    """What Chromium laid out: the visible text, broken words, small text, the page's width."""

    text: str
    broken: list[str]
    small: list[str]
    width: int
    window: int  # the layout width the page saw
    wide: list[str]  # elements that reach past the window's right edge (the first few)


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(browser: str, args: list[str], profile: Path) -> str:
    done = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
    )
    return done.stdout


def framed(html: str, *, width: int, height: int) -> str:
    """The page in an iframe exactly ``width`` pixels wide: headless Chromium's window is at
    least 500 pixels wide, so a phone-sized layout is only reached inside a frame (whose media
    queries see the frame's width)."""
    from html import escape

    return (
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe style="border:0;display:block;width:{width}px;height:{height}px" '
        f'srcdoc="{escape(html, quote=True)}"></iframe><pre id="irbook-measure"></pre>'
        "</body></html>"
    )


def screenshot(browser: str, html: str, out: Path, *, width: int, height: int) -> None:
    """A PNG of the page's top ``height`` pixels laid out ``width`` CSS pixels wide."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(framed(html, width=width, height=height), encoding="utf-8")
        window = f"--window-size={width},{height}"
        _run(browser, [f"--screenshot={out.resolve()}", window, page.as_uri()], Path(tmp) / "p")


def as_printed(html: str) -> str:
    """The page with its ``@media print`` rules applied on screen: what "Save as PDF" lays out
    (``--dump-dom`` cannot switch the media type, and a PDF's text cannot be read back here)."""
    return html.replace("@media print", "@media all")


def inspect(browser: str, html: str, *, width: int, printed: bool = False) -> Page:
    """Lay the page out at ``width`` CSS pixels and measure it (see the module's docstring);
    ``printed``: with the print stylesheet applied (``as_printed``)."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        measured = (as_printed(html) if printed else html).replace("</body>", MEASURE + "</body>")
        page.write_text(framed(measured, width=width, height=1000), encoding="utf-8")
        dom = _run(
            browser,
            ["--dump-dom", f"--window-size={max(width, 500)},1000", page.as_uri()],
            Path(tmp) / "p",
        )
    found = re.search(r'<pre id="irbook-measure">(.*?)</pre>', dom, re.S)
    if found is None:
        raise RuntimeError("the measuring script did not run: " + dom[-500:])
    from html import unescape

    data = json.loads(unescape(found.group(1)))
    return Page(
        text=data["text"],
        broken=data["broken"],
        small=data["small"],
        width=data["width"],
        wide=data["wide"],
        window=data["window"],
    )
