"""Keeps the search index in step with article writes (called inside the writer's transaction).

Placeholder until the search backends land: the reading site works without an index.
"""


def index_issue(issue) -> None:
    return None


def unindex_articles(article_ids) -> None:
    return None
