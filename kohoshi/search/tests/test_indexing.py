"""The index follows imports, edits and deletions in the same transaction; the rebuild command."""
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction

from kohoshi.newsletters.models import Article
from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.services import ArticleInput, IssueInput, issue_import
from kohoshi.places.models import Municipality
from kohoshi.search.models import SearchDocument
from kohoshi.search.services import search_articles

pytestmark = pytest.mark.django_db


def _issue(*bodies):
    return IssueInput(
        municipality=Municipality.objects.get(code="012131"),
        newsletter_title="広報テスト",
        title="広報テスト 1号",
        published_on=date(2024, 5, 1),
        articles=[ArticleInput(title=f"記事{i}", category="くらし", body=b) for i, b in enumerate(bodies, 1)],
    )


def test_import_edit_and_removal_are_followed():
    issue_import(_issue("ひまわり畑の見学会を開きます。", "コスモス祭りのお知らせ。"), by=SYSTEM)
    assert search_articles("ひまわり").count == 1
    assert search_articles("コスモス").count == 1
    issue_import(_issue("あさがお市を開きます。"), by=SYSTEM)
    assert search_articles("ひまわり").count == 0
    assert search_articles("あさがお").count == 1
    assert search_articles("コスモス").count == 0, "the removed article is gone from the index"
    assert SearchDocument.objects.count() == Article.objects.count()


def test_a_rolled_back_import_leaves_the_index_as_it_was():
    issue_import(_issue("ひまわり畑の見学会を開きます。"), by=SYSTEM)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            issue_import(_issue("あさがお市を開きます。"), by=SYSTEM)
            assert search_articles("あさがお").count == 1
            raise RuntimeError
    assert search_articles("ひまわり").count == 1
    assert search_articles("あさがお").count == 0


def test_deleting_an_article_any_way_removes_it_from_the_index():
    result = issue_import(_issue("ひまわり畑の見学会を開きます。", "コスモス祭りのお知らせ。"), by=SYSTEM)
    result.issue.articles.filter(position=2).delete()
    assert search_articles("コスモス").count == 0
    assert search_articles("ひまわり").count == 1


def test_rebuild_command_recreates_the_same_index(capsys):
    issue_import(_issue("ひまわり畑の見学会を開きます。", "コスモス祭りのお知らせ。"), by=SYSTEM)
    SearchDocument.objects.all().delete()
    assert search_articles("ひまわり").count == 0
    call_command("rebuild_search_index", workers=1, no_progress=True)
    assert search_articles("ひまわり").count == 1
    assert search_articles("コスモス").count == 1
    # Incremental writes work again after a rebuild (triggers / index back in place).
    issue_import(_issue("あさがお市を開きます。"), by=SYSTEM)
    assert search_articles("あさがお").count == 1
    assert search_articles("コスモス").count == 0
    assert "2 件" in capsys.readouterr().out
