"""kohoshi.core.sqlite3: Django's SQLite backend with each statement's placeholders converted once."""
import pytest
from django.db import connection

from kohoshi.core.sqlite3 import base
from kohoshi.newsletters.models import Municipality

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend")


@pytest.mark.django_db
def test_statements_run_through_the_kept_conversion_and_answer_as_djangos_backend():
    base._qmark.cache_clear()
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)
        cursor.execute("SELECT %s, '100%%', %s", ["a", 2])
        assert cursor.fetchone() == ("a", "100%", 2)
        cursor.execute("SELECT %s, '100%%', %s", ["b", 3])  # the same statement: converted once
        assert cursor.fetchone() == ("b", "100%", 3)
        cursor.execute("SELECT %(x)s || %(y)s", {"x": "名前", "y": "付き"})  # pyformat: Django's own way
        assert cursor.fetchone() == ("名前付き",)
    info = base._qmark.cache_info()
    assert info.misses == 1 and info.hits == 1
    # The ORM's own statements, through the backend: equality, LIKE with its escaped % kept by the conversion.
    assert Municipality.objects.get(code="142123").name == "厚木市"
    assert list(Municipality.objects.filter(name__startswith="厚木").values_list("code", flat=True)) == ["142123"]
    assert not Municipality.objects.filter(name__contains="%").exists()
    assert base._qmark.cache_info().misses > info.misses
