"""Rendering of `irbook audit packages`: a table of the inventory, or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from irbook.console import print_json, stdout, warn

if TYPE_CHECKING:
    from irbook.audit.lockfiles.listing import Inventory


def inventory(result: Inventory, *, as_json: bool) -> None:
    from irbook.audit.lockfiles.listing import package_json

    if as_json:
        print_json([package_json(p) for p in result.packages])
        return
    if not result.files:
        warn("no lockfile or SBOM found in the given paths")
        return
    out = stdout()
    scope = f"in {len(result.files)} file(s)"
    if not result.packages:
        wanted = f" named {result.pattern!r}" if result.pattern else ""
        out.print(f"No package{wanted} {scope}.", markup=False)
        return
    from irbook.console.layout import table

    rows = [
        [
            p.file,
            p.ecosystem,
            p.name,
            p.version or "-",
            p.source or "registry",
            {True: "yes", False: "no", None: "-"}[p.direct],
            ", ".join(p.groups) or "-",
        ]
        for p in result.packages
    ]
    headers = ("file", "ecosystem", "name", "version", "source", "direct", "groups")
    table(headers, rows, paths=(0,))
    out.print(f"\n{len(result.packages)} package version(s) {scope}.", markup=False, style="bold")
