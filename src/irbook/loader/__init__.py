"""Runbooks from YAML: source positions, schema validation, semantic checks, messages with
did-you-mean, and the catalog of shipped and user runbooks."""
