"""Django's SQLite backend, with each statement's placeholders converted once.

Django writes SQL with `%s` placeholders; its SQLite cursor rewrites them to SQLite's `?` with a
regular expression on every run of every statement. The same statements run again and again (a
`Prepared` query's SQL is one string, kohoshi/reading/prepared.py), and for the article page's
54-column lookup that rewriting was 2.4 % of an uncached page. The converted text of the last
1,024 statements is kept; the conversion itself is Django's.

Settings: DATABASES' ENGINE names this package when DATABASE_URL is SQLite (kohoshi/settings.py).
"""
from functools import lru_cache

from django.db.backends.sqlite3 import base


@lru_cache(maxsize=1024)
def _qmark(query: str) -> str:
    return base.SQLiteCursorWrapper.convert_query(None, query)  # Django's conversion (`self` unused)


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:  # the "format" style Django's queries use
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
