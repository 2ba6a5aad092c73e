"""Sentences shared by the machine-readable advisories (the e-mail templates have their own).

They depend on the incident: how the versions were published (input ``vector``) and what the
malicious code does (input ``payload``); never on one past incident's behaviour.
"""

from __future__ import annotations

VECTORS = {
    "stolen-credentials": "a maintainer's credentials (a password, session or registry token) "
    "were stolen and used to publish them",
    "ci-cd-pipeline": "the release pipeline itself was abused to publish them; no maintainer "
    "password or token had to be stolen",
}

# What installing or running an affected version does, by payload kind. The keys are matched
# as words of the input, so "credential-stealing-worm" and "worm" both find the first one.
PAYLOADS = (
    (
        ("worm", "credential", "stealer"),
        "Installing one runs code that steals credentials from the machine (cloud, Kubernetes, "
        "Vault, registry, GitHub and SSH credentials) and may publish further malicious versions "
        "of packages its victim maintains.",
        "Treat every credential reachable from a machine or CI runner that installed an affected "
        "version as stolen: remove any persistence first, then rotate them from a clean device.",
    ),
    (
        ("browser", "clipper", "bundle", "shipped"),
        "The code runs in the browsers of the people who use applications built with it: it "
        "rewrites cryptocurrency addresses and wallet transactions. It has no install script.",
        "Rebuild and redeploy every application bundle built while an affected version was "
        "installed, and purge CDN and browser caches of those bundles.",
    ),
    (
        ("remote", "rat", "dropper", "backdoor"),
        "Installing one downloads and starts a remote-access tool that gives the attacker control "
        "of the machine.",
        "Isolate every machine that installed an affected version and hunt for the remote-access "
        "tool; re-image it before it returns to service, and rotate its credentials.",
    ),
)
UNKNOWN_PAYLOAD = (
    "What the code does is still being analysed; treat a machine that installed an affected "
    "version as compromised.",
    "Remove the affected versions, rebuild from a clean cache, and rotate credentials reachable "
    "from machines that installed them.",
)


def vector_sentence(vector: str) -> str:
    return VECTORS.get(vector, "how they were published is still being established")


def payload_sentences(payload: str) -> tuple[str, str]:
    """(what it does, what the reader must do) for the input ``payload``."""
    words = set(payload.lower().replace("_", "-").replace("/", "-").split("-"))
    for keys, does, action in PAYLOADS:
        if words & set(keys):
            return does, action
    return UNKNOWN_PAYLOAD
