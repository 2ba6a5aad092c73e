"""The Jinja behaviour irbook.render.undefined.CheckedUndefined relies on, pinned.

Each test names what changed, so a Jinja upgrade that breaks the checking pass fails here with a
message saying which assumption went, instead of a placeholder reaching a customer e-mail.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from jinja2 import ChainableUndefined, StrictUndefined, Undefined, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from irbook.render.undefined import RECORDER, CheckedUndefined, Missing, template_position

BROKEN = f"jinja2 {jinja2.__version__} changed; irbook/render/undefined.py relies on it: "


def _failing_dunders(cls: type) -> set[str]:
    fail = Undefined._fail_with_undefined_error
    return {name for name, value in vars(cls).items() if value is fail and name.startswith("__")}


def test_the_private_slots_read_exist() -> None:
    slots = set(Undefined.__slots__)
    for name in ("_undefined_obj", "_undefined_name", "_undefined_hint", "_undefined_exception"):
        assert name in slots, BROKEN + f"Undefined.{name} is gone"
    assert callable(getattr(Undefined, "_fail_with_undefined_error", None)), (
        BROKEN + "Undefined._fail_with_undefined_error is gone"
    )


def test_every_dunder_jinja_makes_fail_is_overridden() -> None:
    """A dunder Undefined/StrictUndefined raise in, not overridden, would abort the checking pass
    at the first use instead of listing every missing name."""
    expected = _failing_dunders(Undefined) | _failing_dunders(StrictUndefined)
    # ChainableUndefined's own __getattr__/__getitem__ return the undefined itself (chaining)
    overridden = set(vars(CheckedUndefined)) | set(vars(ChainableUndefined))
    missing = sorted(expected - overridden)
    assert not missing, BROKEN + f"new failing dunders to override in CheckedUndefined: {missing}"
    # and the ones StrictUndefined makes strict are still the ones we know
    assert _failing_dunders(StrictUndefined) == {
        "__bool__",
        "__contains__",
        "__eq__",
        "__hash__",
        "__iter__",
        "__len__",
        "__ne__",
        "__str__",
    }, BROKEN + "StrictUndefined fails on a different set of dunders"


def test_chaining_returns_an_undefined() -> None:
    u = CheckedUndefined(name="incident")
    assert isinstance(u.foo, CheckedUndefined), BROKEN + "ChainableUndefined.__getattr__"
    assert isinstance(u["foo"], CheckedUndefined), BROKEN + "ChainableUndefined.__getitem__"


def test_the_sandbox_marks_unsafe_attributes_with_securityerror_and_chains_them() -> None:
    env = SandboxedEnvironment(undefined=CheckedUndefined)
    first = env.getattr("", "__class__")
    assert isinstance(first, CheckedUndefined), BROKEN + "unsafe attributes are no longer undefined"
    assert first._undefined_exception is SecurityError, BROKEN + "unsafe_undefined's exc"
    assert "__class__" in str(first._undefined_hint), BROKEN + "unsafe_undefined's hint"
    second = env.getattr(first, "__init__")
    assert second._undefined_obj is first, BROKEN + "the undefined's obj is the unsafe parent"
    assert second._undefined_exception is SecurityError


def test_compiled_templates_carry_jinja_template_for_positions(tmp_path: Path) -> None:
    (tmp_path / "t.txt.j2").write_text("line one\n{{ probe() }}\n")
    env = SandboxedEnvironment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    seen: list[tuple[str, int]] = []
    env.globals["probe"] = lambda: seen.append(template_position()) or ""
    env.get_template("t.txt.j2").render()
    assert seen == [(str(tmp_path / "t.txt.j2"), 2)], BROKEN + "__jinja_template__ frame globals"


def test_outside_a_checking_pass_every_use_fails_like_strictundefined() -> None:
    u = CheckedUndefined(name="who")
    for use in (
        str,
        bool,
        len,
        iter,
        hash,
        int,
        float,
        complex,
        lambda x: x + 1,
        lambda x: x < 1,
        lambda x: x == 1,
        lambda x: 1 in x,
        lambda x: x(),
    ):
        with pytest.raises(UndefinedError, match="'who' is undefined"):
            use(u)


def test_inside_a_checking_pass_each_use_is_recorded_and_rendering_goes_on(
    tmp_path: Path,
) -> None:
    (tmp_path / "t.j2").write_text(
        "{{ a }}{{ b.c + 1 }}\n{% for x in d %}{% endfor %}{{ e|length }}"
    )
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(tmp_path)), undefined=CheckedUndefined
    )
    recorded: list[Missing] = []
    token = RECORDER.set(recorded)
    try:
        assert env.get_template("t.j2").render() == "\n0"
    finally:
        RECORDER.reset(token)
    path = str(tmp_path / "t.j2")
    assert [(m.filename, m.line, m.name) for m in recorded] == [
        (path, 1, "a"),
        (path, 1, "b"),  # chaining keeps the first missing name; the AST gives `b.c`
        (path, 1, "b"),  # `+ 1`, then printing the result: the renderer de-duplicates
        (path, 2, "d"),
        (path, 2, "e"),
    ]


def test_checkedundefined_is_a_chainableundefined() -> None:
    assert issubclass(CheckedUndefined, ChainableUndefined)
