"""わたしのまち: the municipalities a reader follows, without an account.

The choice is a cookie (`kh_towns`, codes joined by "."), read on the server, so the home page
opens with the reader's towns from the first byte and everything works without JavaScript.
It is not one of READER_SETTINGS (those are one value from a short list); pages that read it
(the home page and /my-town/) say `Vary: Cookie`.
"""
import re
import unicodedata

from django.db.models import Case, IntegerField, Q, Value, When

from kohoshi.newsletters.models import Issue
from kohoshi.places.models import Municipality

COOKIE = "kh_towns"
MAX_TOWNS = 5
ARTICLES_SHOWN = 6
SEARCH_LIMIT = 20
_CODE = re.compile(r"^[0-9]{6}$")


def town_codes(request) -> list[str]:
    """The reader's chosen codes, in the order chosen; anything malformed is dropped."""
    raw = request.COOKIES.get(COOKIE, "")
    codes = []
    for code in raw.split("."):
        if _CODE.match(code) and code not in codes:
            codes.append(code)
    return codes[:MAX_TOWNS]


def cookie_value(codes: list[str]) -> str:
    return ".".join(codes[:MAX_TOWNS])


def towns_chosen(request) -> list[Municipality]:
    codes = town_codes(request)
    found = Municipality.objects.select_related("prefecture").in_bulk(codes)
    return [found[c] for c in codes if c in found]


def towns_newest(towns: list[Municipality]) -> list[dict]:
    """For each town its newest published issue and that issue's first articles (None when it
    has published nothing yet). Two queries per town, at most MAX_TOWNS towns."""
    shown = []
    for town in towns:
        issue = Issue.objects.published().for_municipality(town).with_place().newest_first().first()
        articles = list(issue.articles.select_related("category").order_by("position")[:ARTICLES_SHOWN + 1]) if issue else []
        shown.append({
            "town": town, "issue": issue, "articles": articles[:ARTICLES_SHOWN],
            "more": len(articles) > ARTICLES_SHOWN,
        })
    return shown


def _katakana(text: str) -> str:
    return "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in text)


def municipalities_search(query: str) -> list[Municipality]:
    """Municipalities (and prefectures) whose name or reading contains `query`: 厚木, あつぎ and
    アツギ all find 厚木市. Names that begin with the query come first."""
    query = unicodedata.normalize("NFKC", query).strip()[:40]
    if not query:
        return []
    kana = _katakana(query)
    starts = Q(name__startswith=query) | Q(kana__startswith=kana)
    return list(
        Municipality.objects.select_related("prefecture")
        .filter(Q(name__contains=query) | Q(kana__contains=kana))
        .annotate(rank=Case(When(starts, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("rank", "code")[:SEARCH_LIMIT]
    )
