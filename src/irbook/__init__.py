"""irbook: an incident-response runbook engine for software supply-chain compromises."""

__version__ = "0.1.0"
