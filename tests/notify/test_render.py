"""The sandboxed renderer: every missing name with its file:line, syntax errors, sandbox escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from irbook.domain.facts import build_facts
from irbook.errors import InvalidInputError, NotFoundError
from irbook.render.environment import Renderer

TEMPLATES = Path(__file__).resolve().parent.parent / "fixtures" / "notify" / "templates"


@pytest.fixture
def context(make_incident):  # type: ignore[no-untyped-def]
    return {"incident": build_facts(make_incident(), actor="alice"), "audience": "test"}


def test_missing_variables_are_all_listed_with_file_and_line(context) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError) as info:
        Renderer(TEMPLATES).render("notify/missing-vars.txt.j2", context, blocks=("subject",))
    lines = [str(p) for p in info.value.problems]
    path = str(TEMPLATES / "notify" / "missing-vars.txt.j2")
    assert lines == [
        f"{path}:2:1: 'customer_name' is undefined",
        f"{path}:3:1: 'incident.contract_id' is undefined",
        f"{path}:5:1: 'p.releases' is undefined",
    ]
    assert "nothing was written or sent" in (info.value.hint or "")


def test_default_and_is_defined_are_not_missing(context) -> None:  # type: ignore[no-untyped-def]
    context = {**context, "customer_name": "Bob"}
    context["incident"] = context["incident"]
    with pytest.raises(InvalidInputError) as info:
        Renderer(TEMPLATES).render("notify/missing-vars.txt.j2", context)
    names = [p.message for p in info.value.problems]
    assert names == ["'incident.contract_id' is undefined", "'p.releases' is undefined"]


def test_syntax_error_names_file_and_line(context) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError) as info:
        Renderer(TEMPLATES).render("notify/broken-syntax.txt.j2", context)
    (problem,) = info.value.problems
    assert problem.path.endswith("notify/broken-syntax.txt.j2")
    assert problem.line == 4
    assert problem.message.startswith("syntax error: unexpected '}'")


@pytest.mark.parametrize("name", ["escape", "format-escape"])
def test_reaching_python_internals_is_refused(context, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError) as info:
        Renderer(TEMPLATES).render(f"notify/{name}.txt.j2", context)
    (problem,) = info.value.problems
    assert "tries to reach Python internals" in problem.message
    assert "__class__" in problem.message
    assert problem.line in (2, 3)


def test_html_is_autoescaped_text_is_not(store, make_incident) -> None:  # type: ignore[no-untyped-def]
    facts = build_facts(make_incident(), actor="alice")
    facts = type(facts)(**{**facts.__dict__, "title": "<script>x</script> & co"})
    renderer = Renderer(TEMPLATES)
    html = renderer.render("notify/html-escape.html.j2", {"incident": facts}).text
    text = renderer.render("notify/html-escape.txt.j2", {"incident": facts}).text
    assert "<p>&lt;script&gt;x&lt;/script&gt; &amp; co</p>" in html
    assert "<script>x</script> & co" in text


def test_user_directory_overrides_shipped_template(context) -> None:  # type: ignore[no-untyped-def]
    out = Renderer(TEMPLATES).render("notify/internal-alert.txt.j2", context, blocks=("subject",))
    assert out.text.strip() == "User-directory override for test."
    assert (
        Renderer(None)
        .render("notify/internal-alert.txt.j2", context)
        .text.count("What you must do now")
        == 1
    )


def test_unknown_template_is_not_found(context) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError, match=r"template not found: notify/nope\.txt\.j2"):
        Renderer(TEMPLATES).render("notify/nope.txt.j2", context)
