"""What the CLI and Python callers share: start, record, note, attach, close, verify, follow-ups,
team. One retry-on-conflict policy."""
