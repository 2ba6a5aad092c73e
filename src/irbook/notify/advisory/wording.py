"""Sentences shared by the machine-readable advisories (the e-mail templates have their own)."""

from __future__ import annotations

VECTORS = {
    "stolen-credentials": "a maintainer's credentials (a password, session or registry token) "
    "were stolen and used to publish them",
    "ci-cd-pipeline": "the release pipeline itself was abused to publish them; no maintainer "
    "password or token had to be stolen",
}


def vector_sentence(vector: str) -> str:
    return VECTORS.get(vector, "how they were published is still being established")
