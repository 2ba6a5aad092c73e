"""Automated step actions: pure functions over files (lockfiles, SBOMs, OSV advisories, logs).

Nothing here prints, prompts or touches the database: results are returned as data, the CLI hands
them to ``irbook.console`` and the runner stores them as evidence events.
"""
