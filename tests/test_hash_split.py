"""The canonical bytes split around the seq: what the PostgreSQL server hashes (issue 17).

store/server_append.py has the server compute ``sha256(prev_hash || before || seq || after)``;
that is the chain's hash only if ``before + seq + after`` is exactly ``canonical(...)`` for every
event, whatever its payload (a "seq" key of its own, quotes, non-ASCII, nesting) and step id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from irbook.domain.eventlog import canonical, canonical_around_seq, chain_hash

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
PAYLOADS = st.dictionaries(TEXT | st.sampled_from(["seq", "step_id", '"seq":0']), JSON, max_size=4)


@given(
    seq=st.integers(min_value=1, max_value=2**31 - 1),
    payload=PAYLOADS,
    step_id=st.none() | TEXT | st.just('x","seq":1,"step_id":"y'),
    login=st.none() | TEXT,
    actor=TEXT,
)
def test_before_seq_after_is_the_canonical_body(
    seq: int, payload: dict[str, Any], step_id: str | None, login: str | None, actor: str
) -> None:
    at = datetime(2026, 11, 30, 8, 0, 0, 123456, tzinfo=UTC)
    body = canonical("IR-1", seq, at, actor, "host", "note_added", step_id, payload, login)

    before, after = canonical_around_seq(
        "IR-1", at, actor, "host", "note_added", step_id, payload, login
    )

    assert before + str(seq).encode() + after == body
    prev = "ab" * 32
    assert chain_hash(prev, before + str(seq).encode() + after) == chain_hash(prev, body)
