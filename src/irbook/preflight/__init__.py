"""`irbook preflight`: check, without changing anything, that a runbook can be carried out here.

Templates render, the tools its commands call are on PATH, SMTP answers EHLO, the database is
writable, advisory sources exist and are fresh, the certificate inventory has no expired
certificate or key without a hardware token, and every role has a contact.
"""
