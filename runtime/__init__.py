"""The shared runtime every service imports: settings, database, outbox relay,
idempotent consumers, broker, telemetry, HTTP scaffolding and embedded launch."""
