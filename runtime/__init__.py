"""The shared runtime every service imports: settings, database, outbox relay,
idempotent consumers, broker, telemetry, HTTP scaffolding and the embedded broker.

It imports no service, no script and no gateway (tests/unit/test_layers.py): what runs
or operates the platform as a whole is in `portal`."""
