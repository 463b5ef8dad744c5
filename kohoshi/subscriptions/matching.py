"""Which articles of an issue meet a subscription's conditions.

Municipality and categories are columns; keywords use the site's search (search_articles), the
same language readers type in the search box, limited to the issue's newsletter and date.
"""
from __future__ import annotations

from functools import lru_cache

from kohoshi.newsletters.models import Article, Issue
from kohoshi.search.services import SearchFilters, search_articles


class IssueMatcher:
    """Answers per condition for one issue, each distinct keyword searched once."""

    def __init__(self, issue: Issue):
        self.issue = issue
        self.articles = list(
            Article.objects.filter(issue=issue).select_related("category").order_by("position")
        )
        self._keyword_ids = lru_cache(maxsize=4096)(self._search)

    def _search(self, keywords: str) -> frozenset[int]:
        results = search_articles(
            keywords,
            filters=SearchFilters(
                newsletter=self.issue.newsletter_id,
                date_from=self.issue.published_on,
                date_to=self.issue.published_on,
            ),
            order="newest",
            per_page=max(len(self.articles), 1),
        )
        return frozenset(hit.article.pk for hit in results.hits if hit.article.issue_id == self.issue.pk)

    def articles_for(self, *, category_ids: frozenset[int] | set[int], keywords: str) -> list[Article]:
        found = [a for a in self.articles if not category_ids or a.category_id in category_ids]
        if keywords.strip():
            ids = self._keyword_ids(keywords.strip())
            found = [a for a in found if a.pk in ids]
        return found
