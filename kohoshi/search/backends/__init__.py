"""Database-specific full-text index behind search_articles: SQLite FTS5 or PostgreSQL tsvector/GIN.

Both backends index the same token streams (kohoshi.search.analysis) and compile the same
parsed Query, so they find the same articles; only the ranking formula differs a little.
"""
from django.db import connection


def backend_for(vendor: str | None = None):
    vendor = vendor or connection.vendor
    if vendor == "sqlite":
        from . import sqlite

        return sqlite
    if vendor == "postgresql":
        from . import postgresql

        return postgresql
    raise NotImplementedError(f"kohoshi search has no backend for {vendor}")
