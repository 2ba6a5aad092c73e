"""Which projects installed a malicious version: lockfile and SBOM inventory, OSV advisory
sources, version ordering and matching."""
