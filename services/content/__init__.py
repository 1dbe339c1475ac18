"""content: articles and their revisions; emits RevisionSubmitted, ArticlePublished, ArticleWithdrawn."""
