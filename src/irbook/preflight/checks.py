"""The preflight checks. Each returns ``Check`` records; none changes anything it looks at: the
database is inspected, not written; SMTP gets EHLO and QUIT, never MAIL; templates render into
memory with sample data from a throwaway incident in a temporary folder."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from irbook.domain.models import CommandStep, NotifyStep, Runbook, Step
from irbook.errors import IrbookError
from irbook.loader.load import LoadedRunbook
from irbook.preflight.config import HARDWARE_BACKED, Certificate, PreflightConfig

OK, WARN, FAIL = "ok", "warn", "fail"
EXPIRY_WARNING = timedelta(days=30)
TOOL_TIMEOUT_S = 5


@dataclass(frozen=True)
class Check:
    id: str  # e.g. "template:internal-alert", "tool:gh", "smtp", "certificate:Acme 2026"
    status: str  # ok | warn | fail
    detail: str
    hint: str = ""


def templates(loaded: LoadedRunbook, templates_dir: Path | None) -> Iterator[Check]:
    """Every notify step's template renders with sample data (a fresh incident of the runbook)."""
    from irbook.domain.facts import build_facts
    from irbook.notify.message import build_notification
    from irbook.render.environment import Renderer
    from irbook.store import open_store
    from irbook.usecases.incidents import Responder, start_incident

    steps = [s for _, s in loaded.runbook.steps() if isinstance(s, NotifyStep)]
    if not steps:
        return
    with tempfile.TemporaryDirectory(prefix="irbook-preflight-") as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'sample.db'}")
        try:
            state = start_incident(
                loaded,
                store=store,
                responder=Responder("preflight", "preflight"),
                title="Preflight sample incident",
            )
            facts = build_facts(state, actor="preflight")
        finally:
            store.close()
    renderer = Renderer(templates_dir)
    for template in dict.fromkeys(s.template for s in steps):
        try:
            build_notification(facts, template=template, audience="sample", renderer=renderer)
        except IrbookError as exc:
            yield Check(
                f"template:{template}",
                FAIL,
                exc.message,
                "fix the template (docs/notifications.md)",
            )
        else:
            yield Check(f"template:{template}", OK, "renders with sample data")


# Programs a runbook's prose names in `code spans` that preflight looks for; a command step's
# `run:` is always looked for, whatever it starts with.
KNOWN_TOOLS = frozenset(
    {
        "gh",
        "git",
        "npm",
        "pnpm",
        "yarn",
        "bun",
        "pip",
        "uv",
        "twine",
        "aws",
        "gcloud",
        "az",
        "kubectl",
        "vault",
        "docker",
        "gpg",
        "cosign",
        "minisign",
        "codesign",
        "signtool",
        "security",
        "osv-scanner",
        "curl",
        "jq",
    }
)
# Tools that exist on one platform only: elsewhere they are not needed, not missing.
PLATFORM_ONLY = {"codesign": "darwin", "security": "darwin", "signtool": "win32"}
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def tools(runbook: Runbook, environ: Mapping[str, str]) -> Iterator[Check]:
    """The programs the runbook's steps call: on PATH, with their version."""
    wanted: dict[str, list[str]] = {}
    for _, step in runbook.steps():
        for program in _programs(step):
            wanted.setdefault(program, []).append(step.id)
    for program, step_ids in sorted(wanted.items()):
        used_by = ", ".join(step_ids[:3]) + (" ..." if len(step_ids) > 3 else "")
        platform = PLATFORM_ONLY.get(program)
        if platform and not sys.platform.startswith(platform):
            yield Check(f"tool:{program}", OK, f"only needed on {platform} (used by {used_by})")
            continue
        path = shutil.which(program, path=environ.get("PATH"))
        if path is None:
            yield Check(
                f"tool:{program}",
                WARN,
                f"not on PATH (used by {used_by})",
                f"install {program} on the machine responders will use, or plan to run those "
                "steps elsewhere",
            )
        else:
            yield Check(f"tool:{program}", OK, f"{path} {_version(path)}".strip())


def _programs(step: Step) -> list[str]:
    found = []
    if isinstance(step, CommandStep):
        found.append(_program(step.run))
    for text in (getattr(step, "text", None), step.help):
        for span in _CODE_SPAN.findall(text or ""):
            program = _program(span)
            if program in KNOWN_TOOLS:
                found.append(program)
    return [p for p in dict.fromkeys(found) if p]


def _program(command: str) -> str | None:
    """The program a shell command line starts with (after any VAR=value assignments)."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        return None
    for word in words:
        if "=" in word.split("/")[0] and not word.startswith(("/", ".")):
            continue  # FOO=bar prefix
        if "{{" in word:
            return None  # templated: unknown until the incident
        return Path(word).name
    return None


VERSION_ARGS = {"kubectl": ["version", "--client"], "vault": ["version"]}


def _version(path: str) -> str:
    try:
        result = subprocess.run(
            [path, *VERSION_ARGS.get(Path(path).name, ["--version"])],
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    first = (result.stdout or result.stderr).strip().splitlines()
    return first[0][:80] if first and result.returncode == 0 else ""


def smtp(environ: Mapping[str, str]) -> Iterator[Check]:
    """SMTP settings connect and answer EHLO (and STARTTLS when set); no mail is sent."""
    import smtplib
    import ssl

    from irbook.notify.smtp import config_from_env

    if not environ.get("IRBOOK_SMTP_HOST"):
        yield Check(
            "smtp",
            WARN,
            "IRBOOK_SMTP_HOST is not set: notifications are written as .eml only",
            "set IRBOOK_SMTP_HOST (and PORT, TLS, USER, PASSWORD, FROM) to send them",
        )
        return
    try:
        config = config_from_env(environ)
    except IrbookError as exc:
        yield Check("smtp", FAIL, exc.message, exc.hint or "")
        return
    started = time.monotonic()
    try:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if config.tls == "ssl":
            client = smtplib.SMTP_SSL(config.host, config.port, timeout=10, context=context)
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=10)
        with client:
            code, _ = client.ehlo()
            if config.tls == "starttls":
                client.starttls(context=context)
                code, _ = client.ehlo()
    except (OSError, smtplib.SMTPException) as exc:
        yield Check("smtp", FAIL, f"{config.server}: {exc}", "check the host, port and TLS mode")
        return
    ms = (time.monotonic() - started) * 1000
    status = OK if 200 <= code < 300 else FAIL
    yield Check("smtp", status, f"{config.server} answered EHLO with {code} in {ms:.0f} ms")


def database(url: str | None) -> Iterator[Check]:
    """The database the incident will use can be written (looked at, not written to)."""
    from irbook.store.admin import database_info
    from irbook.store.paths import sqlite_file

    path = sqlite_file(url)
    if path is not None and not path.exists():
        parent = next((p for p in path.parents if p.exists()), None)
        if parent is not None and os.access(parent, os.W_OK | os.X_OK):
            yield Check("database", OK, f"{path} will be created (mode 0600) on first start")
        else:
            yield Check(
                "database",
                FAIL,
                f"cannot create {path}: {parent} is not writable",
                "choose another --db / IRBOOK_DB",
            )
        return
    try:
        info = database_info(url)
    except IrbookError as exc:
        yield Check("database", FAIL, exc.message, exc.hint or "")
        return
    if path is not None and not (
        os.access(path, os.R_OK | os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    ):
        yield Check(
            "database",
            FAIL,
            f"{path} (or its folder, for the WAL) is not writable",
            "fix the permissions or choose another --db",
        )
        return
    if not info.compatible:
        yield Check(
            "database",
            FAIL,
            f"{info.url}: schema version {info.schema_version}, this irbook reads "
            f"{info.supported_version}",
            "upgrade irbook",
        )
        return
    yield Check(
        "database",
        OK,
        f"{info.url} ({info.backend}, schema v{info.schema_version}, {info.incidents} incident(s))",
    )


def advisory_sources(config: PreflightConfig, *, now: float | None = None) -> Iterator[Check]:
    if not config.advisory_sources:
        yield Check(
            "advisories",
            WARN,
            "no advisory source configured for lockfile audits",
            "download OSV data (an all.zip, or ossf/malicious-packages) and list it under "
            "advisory_sources",
        )
        return
    now = time.time() if now is None else now
    limit = config.max_source_age_days
    for source in config.advisory_sources:
        if not source.exists():
            yield Check(f"advisories:{source}", FAIL, "does not exist", "download it again")
            continue
        age_days = (now - _newest_mtime(source)) / 86400
        if age_days > limit:
            yield Check(
                f"advisories:{source}",
                WARN,
                f"{age_days:.0f} days old (limit {limit})",
                "refresh it: malicious-package records appear daily during a campaign",
            )
        else:
            yield Check(f"advisories:{source}", OK, f"{age_days:.1f} days old")


def _newest_mtime(path: Path) -> float:
    if path.is_file():
        return path.stat().st_mtime
    newest = path.stat().st_mtime
    for root, _dirs, files in os.walk(path):
        for name in files[:1000]:  # a sample is enough to tell a stale checkout from a fresh one
            newest = max(newest, (Path(root) / name).stat().st_mtime)
    return newest


def certificates(inventory: list[Certificate], *, today: date) -> Iterator[Check]:
    for cert in inventory:
        check_id = f"certificate:{cert.name}"
        if cert.expires < today:
            yield Check(
                check_id,
                FAIL,
                f"{cert.kind} expired on {cert.expires}",
                "renew it, or remove it from the inventory if it is retired",
            )
        elif cert.key_location not in HARDWARE_BACKED:
            yield Check(
                check_id,
                WARN,
                f"key stored on a {cert.key_location} without a hardware token",
                "move the key to an HSM, a hardware token or a cloud KMS: a stolen laptop or CI "
                "secret must not be able to sign",
            )
        elif cert.expires - today < EXPIRY_WARNING:
            yield Check(
                check_id, WARN, f"expires on {cert.expires}", "renew it before it is needed"
            )
        else:
            yield Check(
                check_id, OK, f"{cert.kind}, key in {cert.key_location}, expires {cert.expires}"
            )


def contacts(runbook: Runbook, config: PreflightConfig) -> Iterator[Check]:
    for role in runbook.roles:
        contact = config.contacts.get(role, "").strip()
        if contact:
            yield Check(f"contact:{role}", OK, contact)
        else:
            yield Check(
                f"contact:{role}",
                WARN,
                "no contact set",
                f"add contacts: {{{role}: 'Name <address>'}} to the preflight config",
            )
