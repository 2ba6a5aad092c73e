"""The preflight configuration and the certificate inventory: YAML files with documented shapes,
checked like runbooks (every problem at once, as ``file:line:col``).

preflight.yaml (``--config``, else ``IRBOOK_PREFLIGHT``)::

    advisory_sources: [~/osv/all.zip, ~/malicious-packages/osv]   # what lockfile audits will use
    max_source_age_days: 7
    certificates: certificates.yaml                               # relative to this file
    contacts:
      incident-commander: Dana Smith <dana@acme.example>
      comms-lead: comms@acme.example

certificates.yaml::

    - name: Acme Windows code signing 2026
      kind: code-signing            # code-signing | apple-developer-id | gpg | minisign | cosign | tls
      key_location: hsm             # hsm | hardware-token | cloud-kms | file | device
      expires: 2027-03-01
      signers: [release-ci, dana]
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from irbook.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    from irbook.loader.load import Document

KeyLocation = Literal["hsm", "hardware-token", "cloud-kms", "file", "device"]
M = TypeVar("M", bound=BaseModel)
HARDWARE_BACKED: frozenset[str] = frozenset({"hsm", "hardware-token", "cloud-kms"})


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Certificate(_Strict):
    name: str = Field(min_length=1)
    kind: Literal["code-signing", "apple-developer-id", "gpg", "minisign", "cosign", "tls"]
    key_location: KeyLocation
    expires: date
    signers: tuple[str, ...] = ()


class PreflightConfig(_Strict):
    advisory_sources: tuple[Path, ...] = ()
    max_source_age_days: int = Field(default=7, ge=1, le=3650)
    certificates: Path | None = None
    contacts: dict[str, str] = Field(default_factory=dict)


def load_config(path: Path) -> PreflightConfig:
    data, doc = _read(path, "preflight config")
    config = _validate(doc, PreflightConfig, data if data is not None else {})
    base = path.parent
    return config.model_copy(
        update={
            "advisory_sources": tuple(_relative(base, p) for p in config.advisory_sources),
            "certificates": _relative(base, config.certificates) if config.certificates else None,
        }
    )


def load_certificates(path: Path) -> list[Certificate]:
    data, doc = _read(path, "certificate inventory")
    if not isinstance(data, list):
        raise InvalidInputError([doc.problem((), "a certificate inventory is a list of entries")])
    problems: list[Problem] = []
    out = []
    for i, entry in enumerate(data):
        try:
            out.append(_validate(doc, Certificate, entry, prefix=(i,)))
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInputError(problems)
    return out


def _relative(base: Path, path: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else base / path


def _read(path: Path, kind: str) -> tuple[Any, Document]:
    from irbook.loader.load import read_yaml

    doc = read_yaml(path, kind=kind)
    return doc.data, doc


def _validate(doc: Document, model: type[M], data: Any, prefix: tuple[Any, ...] = ()) -> M:
    """``model`` from ``data``, or every problem at its line and column."""
    from irbook.loader.load import pydantic_problems

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(list(pydantic_problems(doc, exc, prefix=prefix))) from None
