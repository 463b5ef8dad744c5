"""Property tests for search query parsing and search_articles: any string a reader types is
parsed, and searched, without an exception (both DBs)."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kohoshi.search.query import parse
from kohoshi.search.services import search_articles

FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
PIECES = ["ごみ", "子育て", "OR", "or", "-", "－", '"', "“", "”", "(", ")", "*", "AND", "NOT", "NEAR", "^", ":", "'",
          "　", " ", "\t", "\\", "%", "_", "{", "}", "[", "]", "給付金", "０３", "ｺﾞﾐ", "\u3000-", "--"]  # fmt: skip
query = st.one_of(
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=15).map("".join),
    st.text(max_size=250),
)


@settings(FUZZ, max_examples=300)
@given(text=query)
def test_parse_never_raises(text):
    parse(text)


@pytest.mark.django_db
@settings(FUZZ, max_examples=150)
@given(text=query)
def test_search_articles_never_raises(issue, text):
    results = search_articles(text)
    assert results.count >= 0
