"""search: one index of every public document of every site, in Vietnamese with or
without diacritics. Engines: OpenSearch when OPENSEARCH_URL is set, else tantivy."""
