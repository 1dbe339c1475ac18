"""gateway: the single public port. Maps Host to a tenant, proxies pages to the
renderer and API calls to the owning service, sets the edge headers."""
