"""Full-text search over the case files a user may see (PostgreSQL or Elasticsearch)."""
