"""The pure domain: runbook models, events and the hash chain, conditions, the engine, facts,
redaction. Nothing here does I/O or imports another irbook folder (an import-linter contract)."""
