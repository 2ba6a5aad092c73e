"""Template files read like every other untrusted input: regular files only, bounded size.

Jinja's FileSystemLoader opens whatever the path names and reads it whole: a template directory
holding a FIFO (or a file swapped for one after the ``isfile`` check) waits forever, and a huge
file fills memory. This loader finds templates the same way and reads them through
:func:`irbook.files.read.read_bounded`.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, TemplateNotFound
from jinja2.loaders import split_template_path

from irbook.errors import InvalidInputError, Problem
from irbook.files import limits
from irbook.files.read import read_bounded


class BoundedFileSystemLoader(FileSystemLoader):
    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses ".." (Jinja's own check)
        for searchpath in self.searchpath:
            filename = posixpath.join(searchpath, *pieces)  # posixpath: as Jinja, no drive escapes
            if Path(filename).is_file():
                break
        else:
            raise TemplateNotFound(template)
        contents = read_template(Path(filename))
        mtime = Path(filename).stat().st_mtime

        def uptodate() -> bool:
            try:
                return Path(filename).stat().st_mtime == mtime
            except OSError:
                return False

        return contents, os.path.normpath(filename), uptodate


def read_template(path: Path) -> str:
    """A template's text: at most limits.TEMPLATE_BYTES of UTF-8 from a regular file."""
    try:
        raw = read_bounded(path, kind="template", max_bytes=limits.TEMPLATE_BYTES)
    except OSError as exc:
        problem = Problem(str(path), 1, 1, "", f"cannot read template: {exc.strerror or exc}")
        raise InvalidInputError([problem]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problem = Problem(str(path), line, 1, "", "template is not UTF-8 text")
        raise InvalidInputError([problem], hint="save the template as UTF-8") from None
