"""renderer: every tenant site's pages, from its own read model built from events."""
