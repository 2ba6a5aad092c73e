"""The JSON export, streamed: byte for byte ``Report.model_dump_json(indent=2)`` plus a newline.

The head (the Report with its per-event lists empty) is dumped by pydantic; each per-event list
is written in its place, a batch of entries at a time, indented as pydantic indents a list of
models two levels down. The entries are the dicts ``report.build`` makes, with the models'
fields in the models' order (a test compares with ``build_report(state).model_dump_json``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import to_json

from irbook.report.build import STREAMED

if TYPE_CHECKING:
    from irbook.report.model import Report
    from irbook.report.stream import Context, Document, Render


def _entries(items: list[dict[str, Any]], _: Context) -> str:
    """``,\\n`` then each entry, indented for a list inside the top-level object."""
    dumped = to_json(items, indent=2).decode()  # "[\n  {...},\n  {...}\n]"
    inner = dumped[2:-2]  # "  {...},\n  {...}": JSON text holds no raw newline but these
    return ",\n  " + inner.replace("\n", "\n  ")


RENDER: dict[str, Render] = dict.fromkeys(STREAMED, _entries)


HEAD = True  # report/stream.py: the document starts with the report's head


def write_document(r: Report | None, doc: Document) -> None:
    assert r is not None  # HEAD: the stream builds the head for this format
    head = r.model_dump_json(indent=2)
    for name in STREAMED:
        empty = f'\n  "{name}": []'  # top level: two spaces, and only a raw newline before it
        before, after = head.split(empty, 1)
        doc.text(before)
        if doc.count(name):
            doc.text(f'\n  "{name}": [')
            doc.section(name, skip=1)  # the first entry's leading comma
            doc.text("\n  ]")
        else:
            doc.text(empty)
        head = after
    doc.text(head + "\n")
