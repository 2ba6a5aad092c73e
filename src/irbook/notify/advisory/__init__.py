"""Machine-readable advisories of an incident: OSV JSON, CSAF 2.0, and Markdown for humans."""
