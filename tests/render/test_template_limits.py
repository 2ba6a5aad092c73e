"""Rendering limits (irbook.render.sandbox): each runaway template ends in one clear template
error, exit 2, and nothing is written; a placeholder never reaches a message."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from irbook.errors import InvalidInputError
from irbook.render.environment import Renderer
from shared import FIXTURES

RUNAWAY = {
    "nested-loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "template limit: loops ran more than 100000 iterations in one render",
    ),
    "huge-string": (
        "{{ 'a' * 10**10 }}",
        "template limit: repeating a value 10000000000 times would exceed 1048576 characters",
    ),
    "huge-number": (
        "{{ 10 ** 100000000 }}",
        "template limit: 10 ** 100000000 has more than 4096 bits",
    ),
    "recursive-macro": (
        "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
        "template limit: macros nest more than 50 calls deep",
    ),
    "huge-output": (
        "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
        "template limit: the output is longer than 4194304 characters",
    ),
    "namespace-doubling": (
        "{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s }}",
        "template limit: namespace value 's' is longer than 1048576 characters",
    ),
    "macro-doubling": (
        "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s }}{% endif %}"
        "{% endmacro %}{{ d('a', 45) }}",
        "template limit: a macro argument is longer than 1048576 characters",
    ),
    "format-width": ("{{ '{:>99999999999}'.format('a') }}", "a format width or precision"),
    "percent-width": ("{{ '%99999999999s' % 'a' }}", "a format width or precision"),
    "format-filter-width": ("{{ '%99999999999s'|format('a') }}", "a format width or precision"),
    "center-width": ("{{ 'a'|center(10**10) }}", "a width of 10000000000 characters"),
    "replace-blowup": (
        "{% set a = 'a' * 1000000 %}{{ a|replace('a', a) }}",
        "template limit: rendering needed more than 256 MiB of memory",
    ),
    "self-include": ("{% include 'notify/self-include.txt.j2' %}", "template limit"),
}

PLACEHOLDERS = {
    "map-class": "{{ items|map(attribute='__class__')|list }}",
    "groupby-class": "{{ items|groupby('__class__') }}",
    "groupby-loop": "{% for g, xs in items|groupby('__class__') %}{{ g }}{% endfor %}",
    "pprint-class": "{{ items|map(attribute='__class__')|list|pprint }}",
    "attr-class": "{{ [items|attr('__class__')] }}",
}


def _renderer(tmp_path: Path, templates: dict[str, str]) -> Renderer:
    (tmp_path / "notify").mkdir(exist_ok=True)
    for name, text in templates.items():
        (tmp_path / "notify" / f"{name}.txt.j2").write_text(text)
    return Renderer(tmp_path)


@pytest.mark.parametrize("name", sorted(RUNAWAY))
def test_a_runaway_template_ends_in_a_template_limit(tmp_path: Path, name: str) -> None:
    source, expected = RUNAWAY[name]
    renderer = _renderer(tmp_path, {name: source})
    with pytest.raises(InvalidInputError) as caught:
        renderer.render(f"notify/{name}.txt.j2", {})
    assert str(tmp_path / "notify" / f"{name}.txt.j2") in caught.value.message
    assert expected in caught.value.message
    assert caught.value.hint == "nothing was written or sent; fix the template"


@pytest.mark.parametrize("name", sorted(PLACEHOLDERS))
def test_unsafe_attributes_through_filters_are_refused_not_printed(
    tmp_path: Path, name: str
) -> None:
    """`map(attribute='__class__')` printed "[Undefined]" into a mail; `groupby` too when
    there was one item (nothing to sort, so nothing compared the undefined keys)."""
    renderer = _renderer(tmp_path, {name: PLACEHOLDERS[name]})
    with pytest.raises(InvalidInputError) as caught:
        renderer.render(f"notify/{name}.txt.j2", {"items": [1]})
    assert "access to attribute '__class__' of '" in caught.value.message
    assert "templates run in a sandbox" in caught.value.message


def test_ordinary_templates_still_render_and_each_render_gets_the_whole_budget(
    tmp_path: Path,
) -> None:
    source = (
        "{% for i in range(60000) %}{% endfor %}{% set ns = namespace(n=0) %}"
        "{% for x in items %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }} "
        "{{ items|map(attribute='real')|list }} {{ 'ab' * 3 }} {{ '%5s'|format('x') }} {{ 2 ** 10 }}"
    )
    renderer = _renderer(tmp_path, {"fine": source})
    for _ in range(2):  # 60,000 iterations twice: the budget is per render, not per process
        assert renderer.render("notify/fine.txt.j2", {"items": [1, 2]}).text == (
            "3 [1, 2] ababab     x 1024"
        )


def test_the_memory_guard_gives_the_limit_back(tmp_path: Path) -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    renderer = _renderer(tmp_path, {"blowup": RUNAWAY["replace-blowup"][0]})
    with pytest.raises(InvalidInputError):
        renderer.render("notify/blowup.txt.j2", {})
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    big = bytearray(300 << 20)  # more than the render's allowance: the process may grow again
    assert len(big) == 300 << 20


# --- through the real CLI, in a process capped at 200 MiB ---------------------------------------

MEMORY_LIMIT = 200 * 1024 * 1024


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture
def incident(tmp_path: Path) -> tuple[str, Path]:
    from irbook.loader.load import load_runbook
    from irbook.store import open_store
    from irbook.usecases.incidents import Responder, start_incident

    db = tmp_path / "ir.db"
    store = open_store(str(db))
    try:
        state = start_incident(
            load_runbook(FIXTURES / "runner" / "mini.yaml"),
            store=store,
            responder=Responder(actor="alice", host="h"),
            title="t",
        )
    finally:
        store.close()
    return state.incident_id, db


@pytest.mark.parametrize(
    "name", ["nested-loops", "huge-string", "recursive-macro", "replace-blowup", "map-class"]
)
def test_notify_with_a_runaway_template_exits_2_under_200_mib(
    incident: tuple[str, Path], tmp_path: Path, name: str
) -> None:
    incident_id, db = incident
    source = RUNAWAY[name][0] if name in RUNAWAY else PLACEHOLDERS[name]
    source = source.replace("items", "(incident.id|list)")  # a list every notification has
    templates = tmp_path / "templates"
    (templates / "notify").mkdir(parents=True)
    (templates / "notify" / f"{name}.txt.j2").write_text(
        "{% block subject %}" + incident_id + "{% endblock %}\n" + source + "\n"
    )
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "irbook", "notify", incident_id, name, "--templates", str(templates),
         "--db", str(db), "--out", str(out)],
        preexec_fn=_limit_memory,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        env=os.environ | {"IRBOOK_ACTOR": "alice"},
    )  # fmt: skip
    assert "internal error" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    assert f"{name}.txt.j2:" in done.stderr
    assert ("template limit" in done.stderr) or ("templates run in a sandbox" in done.stderr)
    assert "Undefined" not in done.stdout + done.stderr
    assert not out.exists() or not list(out.rglob("*.eml"))


def test_a_template_file_swapped_for_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    """The loader's isfile() check and the read are two steps; the read itself refuses."""
    from irbook.render.loader import read_template

    os.mkfifo(tmp_path / "t.txt.j2")
    with pytest.raises(InvalidInputError, match="template is a named pipe"):
        read_template(tmp_path / "t.txt.j2")
