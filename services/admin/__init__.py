"""admin: tenants (sites), accounts and roles; signs editors' tokens; emits TenantUpserted."""
