"""Querysets compiled to SQL once, then run with each request's values.

Django builds a query's SQL anew on every evaluation: for the article page's lookup (an article
with its issue, newsletter, town, prefecture, category and audio: 54 columns, 5 joins) that is
0.84 ms of Python against 0.05 ms in the database, the largest single cost of an uncached page
(docs/benchmarks.md, issue 13). A `Prepared` query is written as an ordinary queryset, in a
function of the values that change between requests; it is compiled once per database
connection alias with marker values in their places, and each call puts the request's values,
prepared for the database by the same model fields, where the markers were. The rows become
model instances (or dicts, for `.values()`) through Django's own iterables, so select_related,
annotations and converters work as with the queryset itself.

Only values that reach the SQL as parameters may vary: a value that changes the query's shape
(a field name, a list of a different length, None where a value was) needs its own `Prepared`.
Integer values are taken to be compared for equality: one outside the column's range matches no
row, as Django answers such a lookup.
"""
from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone as dt_timezone

from django.db import connections, models, router


class _Marker:
    """A marker value for a field: unique, and kept as itself by the field's preparation."""

    def __init__(self, field: models.Field, number: int):
        self.field = field
        kind = field.target_field if isinstance(field, models.ForeignKey) else field
        if isinstance(kind, models.DateTimeField):
            self.value = datetime(1901, 2, 3, 4, 5, number % 60, 1000 + number, tzinfo=dt_timezone.utc)
        elif isinstance(kind, models.DateField):
            self.value = date(1901, 2, 3) + timedelta(days=number)
        elif isinstance(kind, (models.SmallIntegerField, models.SmallAutoField)):
            self.value = 32_700 - number  # in range: Django answers a lookup out of it with no rows
        elif isinstance(kind, (models.IntegerField, models.AutoField)):
            self.value = 2_147_400_000 - number
        else:
            self.value = f"\x1fkohoshi-prepared-{number}\x1f"


class _Compiled:
    def __init__(self, queryset: models.QuerySet, markers: dict[str, _Marker], using: str):
        compiler = queryset.query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()  # fills compiler.select, klass_info, col_count…
        connection = connections[using]
        self.params = list(params)
        self.slots: list[tuple[int, str]] = []
        for name, marker in markers.items():
            prepared = marker.field.get_db_prep_value(marker.value, connection, prepared=False)
            found = [i for i, p in enumerate(self.params) if type(p) is type(prepared) and p == prepared]
            if not found:
                raise ValueError(f"Prepared: the value {name!r} does not reach the SQL as a parameter")
            self.slots += [(i, name) for i in found]
        self.fields = {name: marker.field for name, marker in markers.items()}
        self.ranges = []  # integers are compared for equality: one out of range matches nothing
        for name, field in self.fields.items():
            kind = field.target_field if isinstance(field, models.ForeignKey) else field
            if isinstance(kind, (models.IntegerField, models.AutoField)):
                low, high = connection.ops.integer_field_range(kind.get_internal_type())
                self.ranges.append((name, float("-inf") if low is None else low, float("inf") if high is None else high))
        self.compiler = compiler
        self.query = queryset.query
        self.model = queryset.model
        self.iterable = queryset._iterable_class


class _Bound:
    """One run of a compiled query: what Django's iterables read from `queryset.query`."""

    def __init__(self, compiled: _Compiled, params: list, using: str):
        self._compiled, self._params, self._using = compiled, params, using
        query = compiled.query
        self.extra_select, self.values_select, self.annotation_select = (
            query.extra_select, query.values_select, query.annotation_select,
        )
        self.selected = getattr(query, "selected", None)

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiled = self._compiled
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection = connections[self._using]  # this thread's connection
        sql, params = compiled.sql, tuple(self._params)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        # Each run asked every column's field for its converters again (5 % of an article page):
        # they depend on the query and the connection only, and are kept on the connection (a
        # thread's; it goes with its thread) for each compiled query.
        kept = connection.__dict__.setdefault("_kohoshi_converters", {})
        converters = kept.get(compiled)
        if converters is None:
            converters = kept[compiled] = compiler.get_converters(
                [column[0] for column in compiler.select[:compiler.col_count]])
        compiler.get_converters = lambda expressions: converters  # results_iter's one call
        return compiler


class Prepared:
    """`Prepared(build, code=field, …)`: `build(code=…, …)` returns the queryset, and each keyword
    names the model field whose column its value is compared with (that field prepares the value
    for the database). Calling it with those values returns the list of results."""

    def __init__(self, build: Callable[..., models.QuerySet], **fields: models.Field):
        self._build = build
        self._markers = {name: _Marker(field, n) for n, (name, field) in enumerate(fields.items())}
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()
        self._model = None
        self._spare = None

    def _marked(self) -> models.QuerySet:
        return self._build(**{name: marker.value for name, marker in self._markers.items()})

    def _compiled_for(self, using: str) -> _Compiled:
        with self._lock:
            if using not in self._compiled:
                queryset = self._spare if self._spare is not None else self._marked()  # (bool() would run it)
                self._spare = None
                self._compiled[using] = _Compiled(queryset, self._markers, using)
            return self._compiled[using]

    def __call__(self, **values) -> list:
        if values.keys() != self._markers.keys():
            raise TypeError(f"this prepared query takes {sorted(self._markers)}, not {sorted(values)}")
        if self._model is None:  # the model routes the query (replicas): built once, compiled below
            self._spare = self._marked()
            self._model = self._spare.model
        using = router.db_for_read(self._model)
        compiled = self._compiled.get(using) or self._compiled_for(using)
        connection = connections[using]
        params = list(compiled.params)
        prepared = {name: field.get_db_prep_value(values[name], connection, prepared=False)
                    for name, field in compiled.fields.items()}
        for name, low, high in compiled.ranges:
            if not low <= prepared[name] <= high:
                return []  # as Django answers an equality out of the column's range (EmptyResultSet)
        for index, name in compiled.slots:
            params[index] = prepared[name]
        queryset = models.QuerySet(model=compiled.model, query=_Bound(compiled, params, using), using=using)
        queryset._iterable_class = compiled.iterable
        return list(queryset)
