from datetime import date

from ninja import Field, Query, Router, Schema

from kohoshi.accounts.ratelimit import client_id
from kohoshi.newsletters.links import site_url
from kohoshi.search.services import search_articles, search_miss_record

router = Router(tags=["search"])


class SearchResultOut(Schema):
    title: str
    url: str
    municipality_code: str
    published_on: date
    snippet: str = Field(description="本文の抜粋。HTMLエスケープ済みで、一致した語は <mark> で囲まれる")


class SearchOut(Schema):
    count: int
    # Present (true) only when more articles match than are counted, so the usual shape stays.
    count_is_lower_bound: bool | None = Field(
        None, description="一致する記事が count 件より多いときだけ true(数えるのは新しい count 件まで、結果もその中から)"
    )
    results: list[SearchResultOut]


# django-ninja answers a query that fails SearchIn with 422 and this body; documented so clients
# (and schemathesis) know the shape. 400 is core.middleware.NulRejectMiddleware's answer to a NUL,
# 503 is api.database_unavailable's.
class ValidationErrorItemOut(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    detail: list[ValidationErrorItemOut]


class MessageOut(Schema):
    detail: str


class SearchIn(Schema):
    # No NUL: the schema says so, as NulRejectMiddleware (400) does for every request.
    q: str = Field(max_length=200, pattern=r"^[^\x00]*$", description="検索語(スペースでAND、\"…\"で語句、OR、-で除外)")
    limit: int = Field(10, ge=1, le=50)


@router.get("", response={200: SearchOut, 400: MessageOut, 422: ValidationErrorOut, 503: MessageOut}, summary="記事を検索", exclude_none=True)
def search(request, params: Query[SearchIn]):
    results = search_articles(params.q, per_page=params.limit)
    base = site_url(request)
    if results.understood and results.count == 0:
        search_miss_record(params.q, client=client_id(request))
    return {
        "count": results.count,
        "count_is_lower_bound": results.count_is_lower_bound or None,
        "results": [
            {
                "title": hit.article.title,
                "url": base + hit.article.get_absolute_url(),
                "municipality_code": hit.article.issue.newsletter.municipality_id,
                "published_on": hit.article.issue.published_on,
                "snippet": str(hit.snippet),
            }
            for hit in results.hits
        ],
    }
