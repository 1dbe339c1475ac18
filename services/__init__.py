"""The platform\x27s services, one folder each (see docs/architecture)."""
