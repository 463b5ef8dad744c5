"""search_articles on the imported Atsugi corpus and the Tomakomai seed article."""
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from kohoshi.newsletters.formatting import plain_text
from kohoshi.newsletters.models import Article
from kohoshi.search.analysis import index_tokens
from kohoshi.search.models import SearchMiss
from kohoshi.search.services import (
    MISS_WITHHELD,
    SearchFilters,
    search_articles,
    search_miss_record,
    search_misses_for,
)
from kohoshi.search.snippets import snippet_html

from .conftest import SEED_MUNICIPALITY, SEED_TITLE
from .quality import substring_recall

pytestmark = [pytest.mark.django_db, pytest.mark.corpus, pytest.mark.usefixtures("search_corpus")]


def all_hits(query, **kwargs):
    first = search_articles(query, per_page=50, **kwargs)
    hits = list(first.hits)
    for page in range(2, first.num_pages + 1):
        hits += search_articles(query, per_page=50, page=page, **kwargs).hits
    assert len(hits) == first.count
    return [h.article for h in hits]


def titles(results):
    return [h.article.title for h in results.hits]


def text_of(article):
    return article.title + "\n" + plain_text(article.body_source)


def test_child_medical_costs_finds_the_seed_article_first():
    results = search_articles("子ども 医療費")
    assert results.count >= 1
    assert SEED_TITLE in titles(results)[:3]


def test_seed_compound_and_its_part_are_both_found():
    for q in ("子育て支援医療費助成制度", "医療費", "助成", "ＰＲＩＤＥ", "pride", "こども医療費"):
        assert SEED_TITLE in titles(search_articles(q, per_page=50)), q


def test_two_character_query_agrees_with_a_substring_scan():
    found = {a.pk for a in all_hits("防災")}
    # Sudachi normalises the kana spelling ぼうさい to 防災, so those count too.
    containing = {a.pk for a in Article.objects.published() if re.search("防災|ぼうさい", text_of(a))}
    assert found <= containing, "every result contains 防災"
    # Sudachi keeps a few longer words whole (e.g. 防災無線 is split, 防災行政 too): nearly all match.
    assert len(found) >= 0.9 * len(containing)
    assert SEED_TITLE in {a.title for a in all_hits("防災")}


def test_one_character_query_finds_the_word_not_every_kanji_use():
    results = all_hits("市")
    assert len(results) > 100
    assert all("市" in text_of(a) for a in results)


def test_postnatal_care():
    results = search_articles("産後ケア", per_page=50)
    assert SEED_TITLE in titles(results)
    assert all("産後" in text_of(h.article) and "ケア" in text_of(h.article) for h in results.hits)


def test_quoted_phrase_matches_only_the_exact_phrase():
    results = all_hits('"平和の鐘"')
    assert SEED_TITLE in {a.title for a in results}
    assert all("平和の鐘" in text_of(a) for a in results)
    assert len(all_hits("平和 鐘")) >= len(results)


def test_excluded_word_removes_articles_that_mention_it():
    with_card = all_hits("マイナンバーカード")
    without_post = all_hits("マイナンバーカード -郵便局")
    assert SEED_TITLE in {a.title for a in with_card}
    assert SEED_TITLE not in {a.title for a in without_post}
    assert all("郵便局" not in text_of(a) for a in without_post)
    assert {a.pk for a in without_post} == {a.pk for a in with_card if "郵便局" not in text_of(a)}


def test_or_is_the_union():
    a = {x.pk for x in all_hits("産後ケア")}
    b = {x.pk for x in all_hits("健診")}
    assert {x.pk for x in all_hits("産後ケア OR 健診")} == a | b


def test_filters_by_place_newsletter_category_and_date():
    assert titles(search_articles("医療費", filters=SearchFilters(municipality=SEED_MUNICIPALITY))) == [SEED_TITLE]
    assert SEED_TITLE not in titles(search_articles("医療費", filters=SearchFilters(prefecture="14"), per_page=50))
    assert search_articles("医療費", filters=SearchFilters(prefecture="01")).count == 1
    kanagawa = search_articles("防災", filters=SearchFilters(prefecture="14"), per_page=50)
    assert kanagawa.count > 0
    assert all(h.article.issue.newsletter.municipality.prefecture_id == "14" for h in kanagawa.hits)
    seed = Article.objects.get(title=SEED_TITLE)
    assert search_articles("医療費", filters=SearchFilters(newsletter=seed.issue.newsletter_id)).count == 1
    assert search_articles("医療費", filters=SearchFilters(category=seed.category.slug)).count >= 1
    assert search_articles("医療費", filters=SearchFilters(category="no-such-category")).count == 0
    day = seed.issue.published_on
    in_range = search_articles("医療費", filters=SearchFilters(date_from=day, date_to=day), per_page=50)
    assert SEED_TITLE in titles(in_range)
    assert all(h.article.issue.published_on == day for h in in_range.hits)
    after = search_articles("医療費", filters=SearchFilters(date_from=day + timedelta(days=1)), per_page=50)
    assert SEED_TITLE not in titles(after)


def test_newest_order_is_by_issue_date():
    dates = [h.article.issue.published_on for h in search_articles("子育て", order="newest", per_page=50).hits]
    assert dates == sorted(dates, reverse=True)


def test_title_matches_rank_above_body_mentions():
    results = search_articles("健診")
    assert "健診" in results.hits[0].article.title


def test_pages_do_not_overlap():
    p1 = search_articles("市", per_page=10)
    p2 = search_articles("市", per_page=10, page=2)
    assert p1.count == p2.count > 20
    assert not {h.article.pk for h in p1.hits} & {h.article.pk for h in p2.hits}


def test_snippet_marks_the_matched_words_in_the_original_spelling():
    results = search_articles("こども 医療費", filters=SearchFilters(municipality=SEED_MUNICIPALITY))
    snippet = str(results.hits[0].snippet)
    marked = re.findall(r"<mark>(.*?)</mark>", snippet)
    assert "医療費" in marked and "子ども" in marked


def test_snippet_of_a_phrase_marks_the_whole_phrase():
    results = search_articles('"平和の鐘"', filters=SearchFilters(municipality=SEED_MUNICIPALITY))
    assert "<mark>平和の鐘</mark>" in str(results.hits[0].snippet)


def test_query_without_positive_words_finds_nothing():
    for q in ("", "-郵便局", "・・・"):
        results = search_articles(q)
        assert results.count == 0 and not results.understood


def test_unpublished_and_scheduled_articles_are_found_only_from_their_time():
    seed = Article.objects.get(title=SEED_TITLE)
    issue = seed.issue
    later = timezone.now() + timedelta(days=3)
    from kohoshi.search import indexing

    issue.published_at = later
    issue.save(update_fields=["published_at"])
    indexing.index_issue(issue)
    filters = SearchFilters(municipality=SEED_MUNICIPALITY)
    assert search_articles("医療費", filters=filters).count == 0
    assert search_articles("医療費", filters=filters, now=later + timedelta(minutes=1)).count == 1
    issue.status = issue.Status.DRAFT
    issue.published_at = None
    issue.save(update_fields=["status", "published_at"])
    indexing.index_issue(issue)
    assert search_articles("医療費", filters=filters, now=later + timedelta(days=1)).count == 0


def test_query_budget(django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        results = search_articles("子育て 支援", filters=SearchFilters(prefecture="14"))
        for hit in results.hits:
            hit.article.issue.newsletter.municipality.prefecture.name
            hit.article.category.name
            hit.article.get_absolute_url()


def test_dates_are_kept_in_results():
    assert all(isinstance(h.article.issue.published_on, date) for h in search_articles("ごみ").hits)


def test_beyond_the_match_limit_the_count_is_a_lower_bound_over_the_newest_matches(monkeypatch):
    from kohoshi.search import services

    everything = all_hits("市")
    assert len(everything) > 30
    monkeypatch.setattr(services, "MATCH_LIMIT", 30)
    newest = sorted(everything, key=lambda a: (a.issue.published_on, a.pk), reverse=True)[:30]
    for order in ("relevance", "newest"):
        results = search_articles("市", order=order, per_page=50)
        assert results.count == 30 and results.count_is_lower_bound, order
        assert {h.article.pk for h in results.hits} == {a.pk for a in newest}, order
    assert [h.article.pk for h in search_articles("市", order="newest", per_page=50).hits] == [a.pk for a in newest]
    exact = search_articles("産後ケア")
    assert 0 < exact.count <= 30 and not exact.count_is_lower_bound


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["山田 090-1234-5678", "taro@example.jp", "生年月日 19800401", "本町3-12", "０１４４ー３２ー６１１１",
     "わたしの家の前の道路の除雪がまだなのですがいつ来てくれるのでしょうか教えてください"],
)
def test_misses_that_may_carry_personal_data_are_counted_but_not_kept(query):
    search_miss_record(query, day=date(2025, 1, 1))
    assert list(SearchMiss.objects.values_list("query", "count")) == [(MISS_WITHHELD, 1)]
    assert [m.query for m in search_misses_for(None, since=date(2025, 1, 1))] == [MISS_WITHHELD]


@pytest.mark.django_db
def test_ordinary_misses_are_kept_as_typed():
    search_miss_record("除雪 2月", day=date(2025, 1, 1))
    assert SearchMiss.objects.get().query == "除雪 2月"


def _has_word(article, word):
    return word in index_tokens(text_of(article))


def test_a_query_in_kana_finds_what_the_word_in_kanji_finds():
    # Sudachi reads こそだて as こそ + 伊達 and としょかん as と しょ かん: only the readings find them.
    for kana, kanji in (("こそだて", "子育て"), ("としょかん", "図書館"), ("コソダテ", "子育て")):
        found = {a.pk for a in all_hits(kana)}
        assert {a.pk for a in all_hits(kanji)} <= found, kana
    assert all("子育て" in text_of(h.article) for h in search_articles("こそだて", per_page=10).hits)


def test_a_word_inside_a_compound_is_found_after_the_word_itself():
    """ごみ finds 生ごみ and ごみ袋 (one word each for Sudachi), ranked after articles with ごみ."""
    hits = all_hits("ごみ")
    containing = {a.pk for a in Article.objects.published() if "ごみ" in text_of(a)}
    assert containing <= {a.pk for a in hits}
    inside_only = [a for a in hits if "ごみ" in text_of(a) and not _has_word(a, "ごみ")]
    assert any("生ごみ" in text_of(a) for a in inside_only)
    exact = [_has_word(a, "ごみ") or _has_word(a, "ゴミ") for a in hits]
    assert exact == sorted(exact, reverse=True)
    loose = [h for h in search_articles("ごみ", per_page=50).hits if h.article in inside_only]
    assert loose and all("<mark>ごみ</mark>" in str(h.snippet) for h in loose)


def test_one_character_query_ranks_the_word_above_words_containing_it():
    """市 finds 市民 and 都市 too now, but every article with the word 市 (厚木市) comes first."""
    hits = all_hits("市")
    exact = [_has_word(a, "市") for a in hits]
    assert exact == sorted(exact, reverse=True)
    assert True in exact and False in exact
    first_loose = exact.index(False)
    assert any("厚木市" in text_of(a) for a in hits[:first_loose])
    assert all("市民" in text_of(a) or "都市" in text_of(a) or "市" in text_of(a) for a in hits[first_loose:])


def test_substring_recall_of_common_words_on_the_corpus():
    for word in ("ごみ", "防災", "子育て", "健診", "図書館"):
        recall, containing = substring_recall(word)
        assert containing > 0 and recall >= 0.95, (word, recall)


# Text written for these tests: a filler sentence long enough to push a match out of the region
# the snippet tokenises first.
_FILLER = "市民の皆さんの参加をお待ちしています。" * 40


def test_snippet_skips_a_spelling_that_is_not_the_word():
    """京都 is written inside 東京都 (tokens 東京 都) first: the window goes to the real word."""
    snippet = str(snippet_html("東京都の会議について。" + _FILLER + "京都の祭りがあります。", [("京都",)]))
    assert snippet.endswith("<mark>京都</mark>の祭りがあります。")
    assert "東京都" not in snippet


def test_snippet_window_holds_the_most_query_words_anywhere_in_the_text():
    text = "健康について。" + _FILLER + "健康相談と子育ての講座。"
    snippet = str(snippet_html(text, [("健康",), ("子育て",)]))
    assert re.findall(r"<mark>(.*?)</mark>", snippet) == ["健康", "子育て"]


def test_snippet_finds_katakana_words_without_tokenising_the_whole_text():
    """Index tokens spell kana in hiragana; the window is found in the text as written."""
    from kohoshi.search.snippets import _literal_phrases

    text = _FILLER + "申請にはマイナンバーカードが必要です。"
    start = text.index("マイナンバーカード")
    assert _literal_phrases(text, [("まいなんばー", "かーど")]) == [(start, start + len("マイナンバーカード"), 0)]
    assert "<mark>マイナンバーカード</mark>" in str(snippet_html(text, [("まいなんばー", "かーど")]))


def test_hits_carry_what_the_results_show_without_more_queries(django_assert_num_queries):
    """The page, the API and the feeds read these of each hit; the fields search_articles
    leaves unloaded (services.RESULT_DEFERRED) are not among them."""
    hits = search_articles("子育て", per_page=20).hits
    assert len(hits) == 20
    with django_assert_num_queries(0):
        for hit in hits:
            a = hit.article
            a.title, a.number, a.plain_body, a.category.name, a.get_absolute_url()
            issue = a.issue
            issue.get_absolute_url(), issue.number, issue.title, issue.published_on, issue.issued_at
            issue.newsletter.title, issue.newsletter.municipality_id, issue.newsletter.municipality.full_name
