"""The shipped runbooks: they load with the real loader and templates, and hold what others rely on.

Other parts of irbook (notifications, advisories, the report) read specific step ids and input ids
of the supply-chain runbook; these tests pin them so a rename breaks here first.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from irbook.domain import conditions
from irbook.domain.models import (
    CheckStep,
    InputStep,
    NotifyStep,
    Runbook,
    Step,
    runbook_json_schema,
)
from irbook.loader import resources
from irbook.loader.load import LoadedRunbook, load_runbook, read_yaml

SHIPPED = sorted(
    p for p in resources.shipped_dir("runbooks").iterdir() if p.suffix in (".yaml", ".yml")
)
VECTORS = ("stolen-credentials", "ci-cd-pipeline", "unknown")
PAYLOADS = ("worm", "clipper", "remote-access", "unknown")
NOTIFY_TEMPLATES = {
    "internal-alert": ("internal-alert", "isolate"),
    "registry-report-npm": ("registry-report", "isolate"),
    "registry-report-pypi": ("registry-report", "isolate"),
    "leadership-brief": ("leadership-brief", "isolate"),
    "legal-notice": ("legal-notice", "isolate"),
    "upstream-report": ("upstream-report", "isolate"),
    "advisory-downstream": ("advisory-downstream", "notify"),
}  # step id -> (template name, phase): staff, leadership, legal and registries hear in phase 1


def _load(path: Path) -> LoadedRunbook:
    """Load without the template check: content tests must not hinge on the templates' presence;
    test_shipped_runbook_loads_with_the_shipped_templates checks those separately."""
    return load_runbook(path, known_templates=None)


@pytest.fixture(scope="module")
def supply_chain() -> Runbook:
    return _load(resources.shipped_dir("runbooks") / "supply-chain-compromise.yaml").runbook


def test_both_runbooks_are_shipped() -> None:
    assert {p.stem for p in SHIPPED} >= {"supply-chain-compromise", "leaked-secret"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_runbook_loads_with_the_shipped_templates(path: Path) -> None:
    loaded = load_runbook(path, known_templates=resources.notify_template_names())
    assert loaded.runbook.id == path.stem  # `irbook start NAME` finds it by file name


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_runbook_is_valid_against_the_published_json_schema(path: Path) -> None:
    # Editors validate with the JSON Schema, not the loader: the two must agree on real runbooks.
    jsonschema.validate(read_yaml(path).data, runbook_json_schema())


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_runbook_is_general_enough(path: Path) -> None:
    runbook = _load(path).runbook
    assert len(runbook.phases) >= 2
    assert any(step.when for _, step in runbook.steps())


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_runbook_does_not_repeat_the_seed_articles_errors(path: Path) -> None:
    text = path.read_text(encoding="utf-8").lower()
    # The seeds' wrong date; a bare "2023" is legitimate now (SEC Release 33-11216, 2023).
    for wrong in (
        "2023-12-21",
        "21st, 2023",
        "december 21",
        "tanstack-query",
        "tanstack-table-core",
        "tanstack-react-query",
        "tanstack-virtual",
        "npm-stats.surge.sh",
        "maintainer credentials were stolen",
    ):
        assert wrong not in text, f"{path.name} repeats a seed error: {wrong!r}"


def _texts(step: Step) -> list[str]:
    fields = ("title", "text", "prompt", "help", "evidence")
    return [v for v in (getattr(step, f, None) for f in fields) if isinstance(v, str)]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_openai_is_only_mentioned_as_reported(path: Path) -> None:
    # incidents.md: no primary source is stored for the OpenAI device compromise.
    runbook = _load(path).runbook
    for _, step in runbook.steps():
        text = " ".join(_texts(step))
        if "OpenAI" in text:
            assert "reported" in text, f"{step.id} mentions OpenAI without saying 'reported'"


def test_supply_chain_has_the_six_phases_in_order(supply_chain: Runbook) -> None:
    phases = [p.id for p in supply_chain.phases]
    assert phases == ["isolate", "rotate", "audit", "notify", "harden", "monitor"]


def test_supply_chain_milestones(supply_chain: Runbook) -> None:
    milestones = {p.id: p.milestone for p in supply_chain.phases if p.milestone}
    assert milestones == {
        "isolate": "contained",
        "rotate": "credentials-rotated",
        "notify": "stakeholders-notified",
    }


def test_supply_chain_inputs(supply_chain: Runbook) -> None:
    inputs = {i.id: i for i in supply_chain.inputs}
    expected = {
        "organisation": ("text", True),
        "vector": ("choice", True),
        "payload": ("choice", True),
        "detected_at": ("datetime", False),
        "regulations": ("multichoice", False),
        "repo_paths": ("paths", False),
        "advisories": ("paths", False),
        "log_paths": ("paths", False),
        "ioc_file": ("path", False),
    }
    assert {k: (str(v.type), v.required) for k, v in inputs.items()} == expected
    assert inputs["vector"].choices == VECTORS
    assert inputs["payload"].choices == PAYLOADS
    assert inputs["regulations"].choices == ("gdpr", "nis2", "eu-cra", "sec-8k")


def _applies(step: Step, vector: str) -> bool:
    assert step.when is not None
    return conditions.evaluate(step.when, {"vector": vector}, {}, lambda _: False)


def _vector_steps(runbook: Runbook) -> list[Step]:
    return [
        s for _, s in runbook.steps() if s.when and "vector" in conditions.references(s.when).inputs
    ]


def test_supply_chain_branches_on_each_vector(supply_chain: Runbook) -> None:
    steps = _vector_steps(supply_chain)
    credentials, pipeline = "stolen-credentials", "ci-cd-pipeline"
    only_credentials = {
        s.id for s in steps if _applies(s, credentials) and not _applies(s, pipeline)
    }
    only_pipeline = {s.id for s in steps if _applies(s, pipeline) and not _applies(s, credentials)}
    assert "recover-maintainer-accounts" in only_credentials
    assert {"stop-pipeline-abuse", "purge-actions-caches", "harden-ci-workflows"} <= only_pipeline
    # Not knowing the vector must not hide the steps of either one.
    assert all(_applies(s, "unknown") for s in steps)


def _step(runbook: Runbook, step_id: str) -> Step:
    return runbook.step(step_id)


@pytest.mark.parametrize(
    ("step_id", "phase", "kind"),
    [
        ("affected-devices", "isolate", "list"),
        ("affected-packages", "isolate", "packages"),  # known early: the registry reports need it
        ("safe-versions", "audit", "packages"),
        ("iocs", "isolate", "list"),  # the fleet sweep needs it
    ],
)
def test_supply_chain_list_inputs_others_rely_on(
    supply_chain: Runbook, step_id: str, phase: str, kind: str
) -> None:
    step = _step(supply_chain, step_id)
    assert isinstance(step, InputStep)
    assert step.value == kind
    assert supply_chain.phase_of(step_id).id == phase


def test_downstream_advisory_only_for_own_releases_else_the_maintainers_are_told(
    supply_chain: Runbook,
) -> None:
    steps = {s.id: s for _, s in supply_chain.steps()}
    assert steps["advisory-downstream"].when == "answer('own-releases-hit')"
    assert steps["upstream-report"].when == "not answer('own-releases-hit')"


def test_supply_chain_notify_steps_name_the_shared_templates(supply_chain: Runbook) -> None:
    notify = {
        s.id: (s.template, supply_chain.phase_of(s.id).id)
        for _, s in supply_chain.steps()
        if isinstance(s, NotifyStep)
    }
    assert notify == NOTIFY_TEMPLATES


@pytest.mark.parametrize(
    ("step_id", "uses", "args"),
    [
        (
            "lockfile-audit",
            "lockfile-audit",
            {"paths": "{{ inputs.repo_paths }}", "advisories": "{{ inputs.advisories }}"},
        ),
        (
            "log-ioc-scan",
            "log-ioc-scan",
            {
                "paths": "{{ inputs.log_paths }}",
                "iocs": "{{ inputs.ioc_file }}",
                "indicators": "{{ answers.iocs }}",
            },
        ),
    ],
)
def test_supply_chain_audit_checks(
    supply_chain: Runbook, step_id: str, uses: str, args: dict[str, Any]
) -> None:
    step = _step(supply_chain, step_id)
    assert isinstance(step, CheckStep)
    assert (step.uses, step.with_, step.critical) == (uses, args, True)
    # in the first phase: the hosts they find must be swept before anything is revoked
    assert supply_chain.phase_of(step_id).id == "isolate"
    assert step_id in _transitive_needs(supply_chain, "sweep-fleet")


def _transitive_needs(runbook: Runbook, step_id: str) -> set[str]:
    seen: set[str] = set()
    todo = list(_step(runbook, step_id).needs)
    while todo:
        need = todo.pop()
        if need not in seen:
            seen.add(need)
            todo.extend(_step(runbook, need).needs)
    return seen


@pytest.mark.parametrize(
    "step_id", ["revoke-device-sessions", "rotate-github-credentials", "rotate-registry-tokens"]
)
def test_token_revocation_waits_for_persistence_removal(
    supply_chain: Runbook, step_id: str
) -> None:
    # The reported wiper fires when the stolen GitHub token is revoked: persistence goes first.
    order = [s.id for _, s in supply_chain.steps()]
    assert "remove-persistence" in _transitive_needs(supply_chain, step_id)
    assert order.index("remove-persistence") < order.index(step_id)
    assert _step(supply_chain, "remove-persistence").critical


def test_old_signing_certificate_is_revoked_only_after_the_new_one_is_in_use(
    supply_chain: Runbook,
) -> None:
    assert {"issue-signing-certificate", "sign-with-new-certificate"} <= _transitive_needs(
        supply_chain, "revoke-signing-certificate"
    )


def test_every_step_of_the_supply_chain_runbook_has_a_role(supply_chain: Runbook) -> None:
    assert [s.id for _, s in supply_chain.steps() if s.role is None] == []


def test_runbooks_show_prints_the_six_phases_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    from irbook.cli import run

    assert run(["runbooks", "show", "supply-chain-compromise"]) == 0
    out = capsys.readouterr().out
    headers = [line for line in out.splitlines() if re.match(r"^\d\. ", line)]
    assert [h.split(" (")[-1].split(")")[0] for h in headers] == [
        "isolate",
        "rotate",
        "audit",
        "notify",
        "harden",
        "monitor",
    ]
    assert "[confirm] open-incident-channel" in out  # step types survive rich markup


def _revoking(runbook: Runbook) -> list[str]:
    return [s.id for _, s in runbook.steps() if s.revokes]


def test_every_revoking_step_waits_for_persistence_removal_and_the_fleet_sweep(
    supply_chain: Runbook,
) -> None:
    # Review W1/W2: SSH, CI, cloud, Kubernetes, Vault and account recovery were not gated, and the
    # sweep came after rotation. The wiper fires on every host still infected at revocation.
    revoking = _revoking(supply_chain)
    assert {
        "revoke-device-sessions",
        "recover-maintainer-accounts",
        "rotate-registry-tokens",
        "rotate-github-credentials",
        "rotate-ci-secrets",
        "rotate-cloud-credentials",
        "rotate-kubernetes-credentials",
        "rotate-vault-tokens",
        "rotate-ssh-keys",
        "rotate-other-secrets",
        "revoke-signing-certificate",
        "rotate-release-signing-keys",
    } <= set(revoking)
    for step_id in revoking:
        assert {"remove-persistence", "sweep-fleet"} <= _transitive_needs(supply_chain, step_id)
    for gate in ("remove-persistence", "sweep-fleet", "preserve-evidence"):
        assert _step(supply_chain, gate).critical  # a skipped need counts as met
    assert {"lockfile-audit", "log-ioc-scan", "remove-persistence"} <= _transitive_needs(
        supply_chain, "sweep-fleet"
    )


def test_reimaging_waits_for_evidence(supply_chain: Runbook) -> None:
    # Review W4: preserve-evidence was skippable and re-imaging did not wait for it.
    assert "preserve-evidence" in _transitive_needs(supply_chain, "remove-persistence")
    assert _step(supply_chain, "remove-persistence").destroys_evidence


def test_persistence_removal_names_the_mechanisms_of_2025_26(supply_chain: Runbook) -> None:
    # Review W3.
    text = " ".join(_texts(_step(supply_chain, "remove-persistence")))
    for trace in (
        "com.user.gh-token-monitor.plist",
        "gh-token-monitor.service",
        ".claude",
        "SessionStart",
        ".vscode",
        "folderOpen",
    ):
        assert trace in text
    hunt = " ".join(_texts(_step(supply_chain, "hunt-github")))
    for trace in ("SHA1HULUD", "discussion.yaml", "shai-hulud-workflow.yml", "repo.access"):
        assert trace in hunt


def test_pypi_malicious_releases_are_deleted_not_yanked(supply_chain: Runbook) -> None:
    # Review W6: yanked releases still install for == pins.
    step = _step(supply_chain, "remove-malicious-pypi-files")
    assert "Do not yank" in " ".join(_texts(step))
    for _, other in supply_chain.steps():
        text = " ".join(_texts(other)).lower()
        assert "yank the release" not in text, other.id


def _applies_with(step: Step, inputs: dict[str, Any]) -> bool:
    if not step.when:
        return True
    return conditions.evaluate(step.when, inputs, {}, lambda _: False)


def test_supply_chain_branches_on_the_payload(supply_chain: Runbook) -> None:
    def steps_for(payload: str) -> set[str]:
        inputs = {"payload": payload, "vector": "unknown"}
        return {s.id for _, s in supply_chain.steps() if _applies_with(s, inputs)}

    worm, clipper, rat = steps_for("worm"), steps_for("clipper"), steps_for("remote-access")
    assert {"hunt-github", "take-down-worm-artifacts"} <= worm - clipper - rat
    assert "rebuild-shipped-artifacts" in clipper - worm - rat
    assert "hunt-remote-access-tool" in rat - worm - clipper
    assert steps_for("unknown") >= worm | clipper | rat


def test_deadlines_are_declared_with_conditions_on_the_regulations_input(
    supply_chain: Runbook,
) -> None:
    deadlines = {d.id: d for d in supply_chain.deadlines}
    assert {
        "nis2-early-warning": "24h",
        "cra-early-warning": "24h",
        "gdpr-breach-notification": "72h",
        "sec-8k-item-105": "4bd",
    }.items() <= {k: d.within for k, d in deadlines.items()}.items()
    assert str(deadlines["cra-early-warning"].applies_from) == "2026-09-11"
    assert deadlines["sec-8k-item-105"].after == "materiality-determined"
    for deadline in deadlines.values():
        assert deadline.when and conditions.references(deadline.when).inputs == {"regulations"}
        assert deadline.references


def test_leaked_secret_branches_on_secret_kind_and_handles_malware() -> None:
    runbook = _load(resources.shipped_dir("runbooks") / "leaked-secret.yaml").runbook

    def steps_for(**inputs: Any) -> set[str]:
        return {s.id for _, s in runbook.steps() if _applies_with(s, inputs)}

    base = {"exposure": "public-repo", "personal_data": False}
    github = steps_for(secret_kind="github-token", **base)
    registry = steps_for(secret_kind="registry-token", **base)
    key = steps_for(secret_kind="private-key", **base)
    assert "github-token-audit" in github - registry - key
    assert "check-registry-publishes" in registry - github - key
    assert "private-key-revocation" in key - github - registry
    # L2: stolen by malware, revocation waits for the supply-chain runbook's sweep
    exposures = next(i for i in runbook.inputs if i.id == "exposure").choices or ()
    assert {"malware", "published-artifact"} <= set(exposures)
    revoke = runbook.step("revoke-secret")
    assert "rule-out-active-malware" in revoke.needs
    assert runbook.step("rule-out-active-malware").critical
    # L4: the credential revocation API
    assert "/credentials/revoke" in (revoke.help or "")
