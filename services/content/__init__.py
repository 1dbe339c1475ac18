"""content: articles and their revisions.

Emits RevisionSubmitted, ArticlePublished, ArticleWithdrawn."""
