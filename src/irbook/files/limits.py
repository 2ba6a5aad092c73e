"""Every input limit in one table (docs/security.md, "Input limits", lists the same numbers).

A limit stops a mistaken or hostile input (``/dev/zero``, a disk image, a template that loops a
billion times) with a clear message, exit 2; real inputs sit far below each one.
"""

from __future__ import annotations

MiB = 1024 * 1024

# Files parsed whole (read with irbook.files.read.read_bounded).
RUNBOOK_BYTES = 1 * MiB  # the shipped 54-step runbook is ~40 KiB
ANSWERS_BYTES = 1 * MiB  # same YAML loader as runbooks
SCENARIO_BYTES = 1 * MiB  # a drill scenario: a few inputs and injects
TEMPLATE_BYTES = 1 * MiB  # one Jinja template file
IOC_FILE_BYTES = 16 * MiB  # an IOC list: ~500,000 indicators
ADVISORY_FILE_BYTES = 256 * MiB  # one OSV JSON file or one member of an all.zip dump
# Lockfiles: irbook.audit.lockfiles.inventory._common.MAX_BYTES (512 MiB, monorepo lockfiles).

# Template rendering (irbook.render).
TEMPLATE_LOOP_ITERATIONS = 100_000  # all loop iterations of one render together
TEMPLATE_OUTPUT_CHARS = 4 * MiB  # text of one rendered notification, advisory or block
TEMPLATE_STRING_CHARS = 1 * MiB  # one string or list built by an expression ('a' * 10**10)
TEMPLATE_RECURSION = 50  # nested macro calls ({% call %} blocks too)
TEMPLATE_MEMORY_BYTES = 256 * MiB  # growth of the process while one template renders (Linux)

# Scans (streamed, any size): what is kept of the result.
LOG_HITS_PER_IOC = 100  # default of `irbook audit logs --max-hits`; counts stay exact
