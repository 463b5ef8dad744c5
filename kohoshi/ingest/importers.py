"""Reading issues from the article CSV and from our JSON issue format.

Parsing is separate from saving: a file is read and checked whole into IssueInput values
(raising InputError naming file, row and field), then each issue is saved in its own transaction
by newsletters.services.issue_import.

Titles get the same repair of export warts as bodies ("5月31日?6月6日" → "5月31日〜6月6日");
bodies keep their source and are repaired when rendered. What no repair can restore (a lost
kanji: "?木", "山?　俊裕") is listed by `lost_character_notes` for the import report.
"""
import csv
import io
import json
import re
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticError

from kohoshi.newsletters.formatting import lost_characters, repair_text
from kohoshi.newsletters.models import Article, Issue, Newsletter
from kohoshi.newsletters.services import ArticleInput, IssueInput
from kohoshi.places.codes import validate_local_government_code
from kohoshi.places.models import Municipality

from .errors import InputError

CSV_COLUMNS = ("自治体名", "公開年月", "発行号タイトル", "記事タイトル", "カテゴリ", "記事本文")
_ISSUE_NUMBER = re.compile(r"^(?P<newsletter>.+?)\s*(?P<number>第\s*[0-9０-９]+\s*号)")
_TRAILING_BRACKET = re.compile(r"\s*[（(][^）)]*[）)]\s*$")

# The longest article body we accept: the corpus's longest is 2,919 characters, so a body 30
# times that is a broken file (or a hostile one), not an article.
BODY_MAX_LENGTH = 100_000
TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length
ISSUE_TITLE_MAX_LENGTH = Issue._meta.get_field("title").max_length
NEWSLETTER_TITLE_MAX_LENGTH = Newsletter._meta.get_field("title").max_length
NUMBER_MAX_LENGTH = Issue._meta.get_field("number").max_length
# Our issue format needs 3 levels ({ "articles": [ { … } ] }); a deeper file is refused before
# json.loads, whose recursion a file nested 100,000 deep would exhaust.
JSON_MAX_DEPTH = 20

# The whole file is already in memory when csv reads it, so csv's own field limit (131,072
# characters, then a bare csv.Error without row or column) protects nothing; the per-column
# limits below name the row and column instead. Raised once, for this process.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))

# PostgreSQL refuses NUL in text; XML (the feeds) refuses the other C0 controls; a lone
# surrogate (a JSON "\ud800") cannot be encoded as UTF-8 for either database.
_FORBIDDEN_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def text_problem(value: str, *, max_length: int | None = None) -> str | None:
    """Why this text cannot be stored as it is, or None."""
    if match := _FORBIDDEN_CHARACTER.search(value):
        return f"保存できない文字 U+{ord(match.group()):04X}(制御文字・サロゲート)が {match.start() + 1} 文字目にあります"
    if max_length is not None and len(value) > max_length:
        return f"長すぎます({len(value):,}文字。{max_length:,}文字まで)"
    return None


def _check_text(value: str, *, file: str, row: int | None, field: str, max_length: int | None = None) -> str:
    if problem := text_problem(value, max_length=max_length):
        raise InputError(problem, file=file, row=row, field=field)
    return value


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"文字コードがUTF-8ではありません(バイト位置 {exc.start})。UTF-8で保存し直してください",
            file=str(path),
            row=line,
        ) from exc


def _municipality(code: str, *, file: str, row: int | None, field: str) -> Municipality:
    try:
        validate_local_government_code(code)
    except ValidationError as exc:
        raise InputError(exc.messages[0], file=file, row=row, field=field) from exc
    municipality = Municipality.objects.select_related("prefecture").filter(code=code).first()
    if municipality is None:
        raise InputError(f"自治体コード「{code}」は登録されていません", file=file, row=row, field=field)
    return municipality


def _municipality_by_name(name: str, *, file: str, row: int) -> Municipality:
    name = name.strip()
    candidates = [
        m
        for m in Municipality.objects.select_related("prefecture").filter(name__in=_name_variants(name))
        if name in (m.name, m.full_name)
    ]
    if len(candidates) != 1:
        problem = "見つかりません" if not candidates else "複数の自治体に当てはまります(都道府県名から書いてください)"
        raise InputError(f"自治体名「{name}」は{problem}", file=file, row=row, field="自治体名")
    return candidates[0]


def _name_variants(name: str) -> list[str]:
    # "神奈川県厚木市" → try "厚木市" as well; prefectures end in 都道府県.
    variants = [name]
    match = re.match(r"^(.+?[都道府県])(.+)$", name)
    if match:
        variants.append(match.group(2))
    return variants


def _parse_date(value: str, *, file: str, row: int | None, field: str) -> date:
    value = (value or "").strip()
    for fmt in ("%Y.%m.%d", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InputError(f"日付「{value}」を読めません(YYYY.MM.DD の形で書いてください)", file=file, row=row, field=field)


def split_issue_title(issue_title: str) -> tuple[str, str]:
    """'広報あつぎ 第1421号（2024年4月15日発行）' → ('広報あつぎ', '第1421号')."""
    match = _ISSUE_NUMBER.match(issue_title.strip())
    if match:
        return match.group("newsletter").strip(), re.sub(r"\s+", "", match.group("number"))
    return _TRAILING_BRACKET.sub("", issue_title).strip() or issue_title.strip(), ""


_CSV_MAX_LENGTHS = {
    "自治体名": 100,
    "公開年月": 40,
    "発行号タイトル": ISSUE_TITLE_MAX_LENGTH,
    "記事タイトル": TITLE_MAX_LENGTH,
    "カテゴリ": 100,
    "記事本文": BODY_MAX_LENGTH,
}


def _csv_rows(reader: csv.DictReader, *, file: str):
    """(line number, row) pairs; a row csv cannot parse is an InputError at its line."""
    row_no = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"CSVとして読めません: {exc}", file=file, row=reader.line_num) from exc
        row_no += 1
        yield row_no, row


def read_csv(path: str | Path) -> list[IssueInput]:
    """One IssueInput per (発行号タイトル, 公開年月) in the file, rows kept in file order."""
    path = Path(path)
    file = str(path)
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"列がありません: {', '.join(missing)}", file=file, row=1, field=missing[0])
    code_match = re.match(r"^(\d{6})", path.name)
    by_code = _municipality(code_match.group(1), file=file, row=None, field="ファイル名") if code_match else None

    issues: dict[tuple, dict] = {}
    for row_no, row in _csv_rows(reader, file=file):
        if None in row:
            raise InputError("列の数が見出し行より多くなっています", file=file, row=row_no)
        for column in CSV_COLUMNS:
            # Checked before any lookup: PostgreSQL refuses NUL even in a WHERE clause.
            _check_text(row[column] or "", file=file, row=row_no, field=column, max_length=_CSV_MAX_LENGTHS[column])
        municipality = by_code or _municipality_by_name(row["自治体名"] or "", file=file, row=row_no)
        published_on = _parse_date(row["公開年月"], file=file, row=row_no, field="公開年月")
        issue_title = repair_text((row["発行号タイトル"] or "").strip())
        if not issue_title:
            raise InputError("発行号タイトルが空です", file=file, row=row_no, field="発行号タイトル")
        title = repair_text((row["記事タイトル"] or "").strip())
        if not title:
            raise InputError("記事タイトルが空です", file=file, row=row_no, field="記事タイトル")
        body = (row["記事本文"] or "").strip()
        if not body:
            raise InputError("記事本文が空です", file=file, row=row_no, field="記事本文")
        newsletter_title, number = split_issue_title(issue_title)
        _check_text(newsletter_title, file=file, row=row_no, field="発行号タイトル", max_length=NEWSLETTER_TITLE_MAX_LENGTH)
        _check_text(number, file=file, row=row_no, field="発行号タイトル", max_length=NUMBER_MAX_LENGTH)
        key = (municipality.code, issue_title, published_on)
        issue = issues.setdefault(key, {"municipality": municipality, "articles": []})
        issue["articles"].append(ArticleInput(title=title, category=(row["カテゴリ"] or "").strip(), body=body))
    if not issues:
        raise InputError("記事の行がありません", file=file, row=2)
    result = []
    for (_, issue_title, published_on), issue in issues.items():
        newsletter_title, number = split_issue_title(issue_title)
        result.append(
            IssueInput(
                municipality=issue["municipality"],
                newsletter_title=newsletter_title,
                title=issue_title,
                number=number,
                published_on=published_on,
                articles=issue["articles"],
            )
        )
    return result


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        if isinstance(value, str) and (problem := text_problem(value)):
            raise ValueError(problem)
        return value


class NewsletterDoc(_Strict):
    title: str = Field(min_length=1, max_length=100, description="広報紙名 (例: 広報とまこまい)")


class IssueDoc(_Strict):
    title: str = Field(min_length=1, max_length=200, description="号タイトル")
    published_on: date = Field(description="発行日 YYYY-MM-DD")
    number: str = Field("", max_length=40, description="号数 (例: 第1421号)")


class ArticleDoc(_Strict):
    title: str = Field(min_length=1, max_length=300)
    category: str = Field("その他", description="カテゴリ名 (くらし, 子育て, 健康, しごと, イベント, 講座, スポーツ, 文化, その他)")
    body: str = Field(min_length=1, max_length=BODY_MAX_LENGTH, description="本文: ■見出し, ◇小見出し, ・箇条書き, 問合せ…【電話】…")
    pages: str = Field("", max_length=40, description="掲載ページ (例: 2-3)")


class IssueDocument(_Strict):
    """kohoshi issue import format, version 1."""

    municipality: str = Field(pattern=r"^[0-9]{6}$", description="6桁の全国地方公共団体コード")
    newsletter: NewsletterDoc
    issue: IssueDoc
    articles: list[ArticleDoc] = Field(min_length=1)


def _json_path(loc: tuple) -> str:
    parts = []
    for item in loc:
        parts.append(f"[{item}]" if isinstance(item, int) else (f".{item}" if parts else str(item)))
    return "".join(parts)


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_depth_check(text: str, *, file: str) -> None:
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > JSON_MAX_DEPTH:
                line = text.count("\n", 0, token.start()) + 1
                raise InputError(f"JSONの入れ子が深すぎます({JSON_MAX_DEPTH}段まで)", file=file, row=line)
        elif bracket in "]}":
            depth -= 1


def read_json(path: str | Path) -> IssueInput:
    path = Path(path)
    file = str(path)
    text = _read_text(path)
    _json_depth_check(text, file=file)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSONとして読めません: {exc.msg}", file=file, row=exc.lineno) from exc
    try:
        doc = IssueDocument.model_validate(raw)
    except PydanticError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], file=file, field=_json_path(first["loc"]) or "(root)") from exc
    municipality = _municipality(doc.municipality, file=file, row=None, field="municipality")
    return IssueInput(
        municipality=municipality,
        newsletter_title=doc.newsletter.title,
        title=repair_text(doc.issue.title),
        number=doc.issue.number,
        published_on=doc.issue.published_on,
        articles=[
            ArticleInput(title=repair_text(a.title), category=a.category, body=a.body, pages=a.pages)
            for a in doc.articles
        ],
    )


def lost_character_notes(issue: IssueInput) -> list[str]:
    """Each "?" the repair could not restore in the issue's articles, where it is, for a person."""
    notes = []
    for position, article in enumerate(issue.articles, start=1):
        for part, text in (("タイトル", article.title), ("本文", article.body)):
            notes.extend(
                f"{issue.title} 記事{position}「{article.title}」の{part}: 「{place}」の「?」は元の文字が分からないため直せませんでした"
                for place in lost_characters(text)
            )
    return notes


def issue_json_schema() -> dict:
    schema = IssueDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://kohoshi.example/schemas/issue-v1.json"
    return schema
