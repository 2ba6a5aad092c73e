"""The database tables. ``*Row`` classes are storage only; they never double as domain models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text
from sqlmodel import Field, SQLModel

from irbook.store.records import SCHEMA_VERSION as SCHEMA_VERSION  # its home: no sqlalchemy there


class MetaRow(SQLModel, table=True):
    __tablename__ = "irbook_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


class IncidentRow(SQLModel, table=True):
    __tablename__ = "incident"

    id: str = Field(primary_key=True, max_length=64)
    title: str = Field(sa_column=Column(Text, nullable=False))
    severity: str = Field(max_length=8)
    status: str = Field(max_length=32, index=True)  # open | completed | completed with exceptions
    runbook_id: str = Field(max_length=64)
    runbook_version: str = Field(max_length=32)
    runbook_sha256: str = Field(max_length=64)
    opened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    opened_by: str = Field(max_length=128)
    closed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class EventRow(SQLModel, table=True):
    __tablename__ = "event"

    incident_id: str = Field(primary_key=True, foreign_key="incident.id", max_length=64)
    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    actor: str = Field(max_length=128)
    host: str = Field(max_length=256)
    kind: str = Field(max_length=32)
    step_id: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # Set by the server (store/guards.py) from session_user on PostgreSQL; NULL on SQLite.
    login: str | None = Field(default=None, max_length=128)
