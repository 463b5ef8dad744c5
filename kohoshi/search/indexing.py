"""Keeps the search index in step with article writes, inside the writer's transaction.

Called by kohoshi.newsletters.services (import, edit, publish, unpublish) and by
`kohoshi rebuild_search_index`. Everything is indexed; publication is checked at query time.
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor

from django.db import connection, transaction

from kohoshi.newsletters.formatting import plain_text
from kohoshi.newsletters.models import Article, Issue

from . import analysis
from .backends import backend_for
from .models import SearchDocument, filter_tokens_for, sort_key_for

_ROW_FIELDS = (
    "pk",
    "title",
    "body_source",
    "category_id",
    "issue__status",
    "issue__published_at",
    "issue__published_on",
    "issue__newsletter_id",
    "issue__newsletter__municipality_id",
    "issue__newsletter__municipality__prefecture_id",
)


def _tokens(row) -> tuple[str, str]:
    return analysis.index_text(row[1]), analysis.index_text(plain_text(row[2]))


def _tokens_batch(rows) -> list[tuple[str, str]]:
    return [_tokens(row) for row in rows]


def _document(row, tokens) -> SearchDocument:
    pk, _, _, category_id, status, published_at, published_on, newsletter_id, municipality_id, prefecture_id = row
    return SearchDocument(
        article_id=pk,
        title_tokens=tokens[0],
        body_tokens=tokens[1],
        published_at=published_at if status == Issue.Status.PUBLISHED else None,
        published_on=published_on,
        prefecture_id=prefecture_id,
        municipality_id=municipality_id,
        newsletter_id=newsletter_id,
        category_id=category_id,
        sort_key=sort_key_for(published_on, pk),
        filter_tokens=filter_tokens_for(
            prefecture_id=prefecture_id, municipality_id=municipality_id, newsletter_id=newsletter_id, category_id=category_id
        ),
    )


def index_issue(issue: Issue) -> None:
    """(Re)index every article of the issue, as it now is."""
    rows = list(Article.objects.filter(issue_id=issue.pk).order_by("pk").values_list(*_ROW_FIELDS))
    with transaction.atomic():
        SearchDocument.objects.filter(article__issue_id=issue.pk).delete()
        _write([_document(row, _tokens(row)) for row in rows])


def _write(documents: list[SearchDocument]) -> None:
    backend_for().prepare_write(connection, {d.published_on for d in documents})
    SearchDocument.objects.bulk_create(documents)


def unindex_articles(article_ids) -> None:
    SearchDocument.objects.filter(article_id__in=list(article_ids)).delete()


def index_rebuild(*, batch_size: int = 500, workers: int | None = None, progress=None) -> int:
    """Rebuild the whole index from the articles in one transaction, streaming in batches.

    Readers keep the old index until the commit. Tokenising runs in `workers` processes
    (default: all CPUs); at most two batches per worker are in flight, so memory stays flat.
    `progress`, if given, is called with the number of articles done in each batch.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    backend = backend_for()
    done = 0
    with transaction.atomic():
        backend.rebuild_start(connection)
        rows = Article.objects.order_by("pk").values_list(*_ROW_FIELDS).iterator(chunk_size=batch_size)
        batches = _batched(rows, batch_size)

        def save(batch, tokens):
            nonlocal done
            _write([_document(r, t) for r, t in zip(batch, tokens)])
            done += len(batch)
            if progress:
                progress(len(batch))

        if workers <= 1:
            for batch in batches:
                save(batch, _tokens_batch(batch))
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                pending: deque = deque()
                for batch in batches:
                    pending.append((batch, pool.submit(_tokens_batch, batch)))
                    if len(pending) >= 2 * workers:
                        b, future = pending.popleft()
                        save(b, future.result())
                while pending:
                    b, future = pending.popleft()
                    save(b, future.result())
        backend.rebuild_finish(connection)
    return done


def _batched(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
