"""The one sandboxed Jinja environment (jinja2 lives here only)."""
