"""Article body formatting: structure from the paper's markers, the "?"→"〜" repair, and safety.

Unit tests use small made-up strings; real text is read from ../shared at test time (never
copied here) and those tests skip when it is absent. No database and no settings are needed.
"""

import csv
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kohoshi.newsletters.formatting import contact_of, lost_characters, plain_text, render_body, repair_text
from kohoshi.places.models import Municipality, Prefecture

ATSUGI = Municipality(code="142123", name="厚木市", kind="city", prefecture=Prefecture(code="14", name="神奈川県"))

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("KOHOSHI_SHARED", REPO.parent / "shared"))
CORPUS_CSV = SHARED / "corpus" / "municipal-bulletin" / "csv"
SEED = SHARED / "seeds" / "000_a35c4566e9baf5e2.txt"

ALLOWED = {
    "p": set(), "br": set(), "h2": set(), "h3": set(), "h4": set(), "ul": set(), "ol": set(), "li": set(),
    "dl": set(), "div": set(), "dt": set(), "dd": set(), "span": set(), "aside": {"aria-label"}, "a": {"href", "rel"},
}  # fmt: skip
SCHEMES = ("tel:", "mailto:", "https://", "http://")


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def texts_of(html: str, tag: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, re.S)]


def assert_safe(html: str) -> None:
    """Only the allowlisted elements, attributes and URL schemes. Hostile words may survive as
    escaped text ("onclick=" shown to the reader); they can never become markup."""
    lowered = html.lower()
    for needle in ("<script", "<img", "<iframe", "<svg", "<style", "<math"):
        assert needle not in lowered, (needle, html)
    for tag, attrs in parse(html).elements:
        assert tag in ALLOWED, (tag, html)
        assert set(attrs) <= ALLOWED[tag] | {"class"}, (tag, attrs)
        if "href" in attrs:
            assert attrs["href"].startswith(SCHEMES), attrs["href"]
        if attrs.get("href", "").startswith("tel:"):
            assert re.fullmatch(r"tel:\+81-[0-9-]+", attrs["href"]), attrs["href"]


@pytest.fixture(scope="module")
def corpus_bodies() -> list[str]:
    files = sorted(CORPUS_CSV.glob("*.csv"))
    if not files:
        pytest.skip(f"../shared corpus not found at {CORPUS_CSV}: tests on real article bodies skipped")
    bodies = []
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            bodies.extend(row["記事本文"] for row in csv.DictReader(fh))
    return bodies


# --- Real text --------------------------------------------------------------------------------


def test_seed_article_sections_become_h2_and_numbered_items_h3():
    if not SEED.exists():
        pytest.skip(f"../shared seed article not found at {SEED}")
    html = render_body(SEED.read_text(encoding="utf-8"))
    assert texts_of(html, "h2") == ["基本政策", "重点施策"]
    h3 = texts_of(html, "h3")
    assert len(h3) == 3 and all(re.match(r"\d ", t) for t in h3)
    assert "■" not in html and "◇" not in html
    # The h3 items sit under their h2 sections, in reading order.
    assert html.index("基本政策") < html.index(h3[0]) < html.index(h3[1]) < html.index("重点施策") < html.index(h3[2])


@pytest.mark.corpus
def test_every_corpus_body_renders_to_safe_html(corpus_bodies):
    assert len(corpus_bodies) == 830
    for body in corpus_bodies:
        html = render_body(body)
        assert_safe(html)
        assert not re.search(r"<script|onerror=|javascript:|<img", html, re.I)
        assert html == render_body(body)  # deterministic


@pytest.mark.corpus
def test_whole_corpus_renders_without_an_error(corpus_bodies):
    # Speed belongs to bench/ (a wall-clock limit here failed on a loaded machine, not on slow code).
    for body in corpus_bodies:
        assert isinstance(render_body(body), str) and isinstance(plain_text(body), str)


@pytest.mark.corpus
def test_corpus_images_are_not_loaded_and_keep_their_alt_text(corpus_bodies):
    with_images = [b for b in corpus_bodies if "<img" in b]
    assert with_images, "the corpus is expected to hold bodies with <img> tags"
    for body in with_images:
        html = render_body(body)
        assert "<img" not in html and "mykoho.jp" not in html  # the corpus alts are empty: dropped
        # The same real markup with a description: each image leaves exactly its alt text.
        described = re.sub(r'alt=""', 'alt="説明文"', body)
        html = render_body(described)
        assert html.count('<span class="kh-img-alt">画像: 説明文</span>') == body.count("<img")
        assert "説明文" not in plain_text(described)


@pytest.mark.corpus
def test_corpus_contact_blocks_become_boxes_with_tel_links(corpus_bodies):
    with_contacts = [b for b in corpus_bodies if re.search(r"(?m)^問合せ：", b) and "【電話】" in b]
    assert len(with_contacts) > 500
    for body in with_contacts:
        html = render_body(body, municipality=ATSUGI)
        assert '<aside class="kh-contact" aria-label="問合せ">' in html
        numbers = re.findall(r'href="tel:\+81-([0-9-]+)"', html)
        assert numbers
        for number in numbers:
            # The printed digits (after the lost-hyphen repair), completed with 046 where local.
            digits = number.replace("-", "")
            printed = {re.sub(r"\D", "", x) for x in re.findall(r"】([\d?-]+)", body)}
            assert "0" + digits in printed or digits.removeprefix("46") in printed, number
        contact = contact_of(body)
        assert contact["tel"] or contact["fax"] or contact["email"], body[-200:]


@pytest.mark.corpus
def test_corpus_email_addresses_become_mailto_links(corpus_bodies):
    with_mail = [b for b in corpus_bodies if "【メール】" in b]
    assert with_mail
    for body in with_mail:
        assert 'href="mailto:' in render_body(body)


@pytest.mark.corpus
def test_corpus_plain_text_has_no_markers_tags_or_clock_times_with_question_marks(corpus_bodies):
    for body in corpus_bodies:
        text = plain_text(body)
        assert "<img" not in text and "【電話】" not in text
        # Only a marker that names its items ("■は直接…") may start a line.
        assert not re.search(r"(?m)^(?:[■◇◆□▽●○▼](?!は)|・)", text), text
        assert not re.search(r"\d[時分]\?", text), text
    repaired = sum(plain_text(b).count("〜") - b.count("〜") for b in corpus_bodies)
    assert repaired > 1500


# --- Structure --------------------------------------------------------------------------------


def test_empty_body_renders_nothing():
    assert render_body("") == "" and render_body(" \n\n") == ""
    assert plain_text("") == "" and contact_of("") is None


def test_heading_markers_become_headings_without_the_marker():
    html = render_body("■お知らせ\n◇受付について\n本文です。\n●別の案内\n▽細目")
    assert "<h2>お知らせ</h2>" in html and "<h2>別の案内</h2>" in html
    assert "<h3>受付について</h3>" in html and "<h3>細目</h3>" in html


def test_middle_markers_sit_between_sections_and_items():
    html = render_body("■講座\n□子ども向け\n◇第1部\n本文。")
    assert ["<h2>講座</h2>", "<h3>子ども向け</h3>", "<h4>第1部</h4>"] == re.findall(r"<h\d>.*?</h\d>", html)


def test_an_article_of_only_items_starts_at_h2():
    assert re.findall(r"<h\d>", render_body("◇一つ目\n本文。\n\n◇二つ目\n本文。")) == ["<h2>", "<h2>"]


def test_lines_referring_back_to_a_marker_stay_text():
    html = render_body("■手芸教室\n本文。\n■は往復はがきで申し込み。\n●は不要。")
    assert texts_of(html, "h2") == ["手芸教室"]
    assert "■は往復はがきで申し込み。" in html and "●は不要。" in html


def test_marker_line_that_is_a_sentence_stays_a_paragraph():
    html = render_body("▽今年から窓口が新しくなりました。")
    assert "<h" not in html and "<p>▽今年から窓口が新しくなりました。</p>" in html


def test_blank_lines_separate_paragraphs_and_single_newlines_become_br():
    assert render_body("一行目\n二行目\n\n次の段落") == "<p>一行目<br>二行目</p>\n<p>次の段落</p>"


def test_colon_lines_become_a_definition_list():
    html = render_body("日時：6月2日\n場所：市民会館\n定員：30人\n費用：無料")
    assert html.count('<div class="kh-fact">') == 4
    assert "<dt>日時</dt><dd>6月2日</dd>" in html and "<dt>費用</dt><dd>無料</dd>" in html


def test_bracket_labels_inline_and_on_their_own_line():
    html = render_body("〔日時〕6月2日\n《申込み》\n電話で受け付け")
    assert "<dt>日時</dt><dd>6月2日</dd>" in html
    assert "<dt>申込み</dt><dd>電話で受け付け</dd>" in html
    assert "〔" not in html and "《" not in html


def test_bracket_labels_nest_under_an_empty_colon_label():
    html = render_body("料金：\n〔大人〕\n・平日…500円\n〔子ども〕\n・平日…200円")
    assert re.search(r"<dt>料金</dt><dd><dl class=\"kh-facts\">.*<dt>大人</dt>.*<dt>子ども</dt>", html)


def test_lone_bracket_label_before_a_heading_is_a_label_paragraph():
    html = render_body("《略歴》\n◇山田さん\n本文。")
    assert '<p class="kh-labelled"><span class="kh-label">略歴</span></p>' in html


def test_interview_lines_are_not_mistaken_for_facts():
    html = render_body("司会：本日はよろしくお願いします。\n佐藤：こちらこそ。")
    assert "<dl" not in html


def test_label_values_continue_over_list_lines():
    html = render_body("日時：\n・6月2日\n(1)10時?\n(2)13時?\n(各回50分)\n・6月3日\n定員：10人")
    assert "<dt>日時</dt><dd><ul" in html
    assert re.search(r"<li>6月2日<ol class=\"kh-enum\">.*10時〜.*13時〜.*</ol>\(各回50分\)</li><li>6月3日</li>", html)
    assert "<dt>定員</dt><dd>10人</dd>" in html


def test_bullets_become_a_list_and_enumerations_an_ordered_list_keeping_numbers():
    html = render_body("・軍手\n・タオル\n\n(1)受付\n(2)説明\n(3)体験")
    assert '<ul class="kh-list"><li>軍手</li><li>タオル</li></ul>' in html
    assert html.count('<span class="kh-enum__marker">') == 3 and "(3)</span>体験" in html


def test_a_lone_numbered_line_is_not_a_list():
    assert render_body("(1)午前の部と(2)午後の部があります。") == "<p>(1)午前の部と(2)午後の部があります。</p>"


def test_notes_are_marked_as_notes():
    assert render_body("※雨天中止") == '<p class="kh-note">※雨天中止</p>'


# --- Contacts ---------------------------------------------------------------------------------


def test_contact_block_becomes_an_aside_with_tel_and_mailto_links():
    html = render_body(
        "本文。\n\n問合せ：市民課\n【電話】225-2746【FAX】225-2747\n【メール】shimin@example.jp", municipality=ATSUGI
    )
    assert '<aside class="kh-contact" aria-label="問合せ">' in html
    assert '<a class="kh-tel" href="tel:+81-46-225-2746">046-225-2746</a>' in html
    assert "225-2747" in html and "tel:+81-46-225-2747" not in html  # a fax number is not something to call
    assert '<a class="kh-mail" href="mailto:shimin@example.jp">shimin@example.jp</a>' in html


def test_contact_lines_with_markers_stay_inside_the_box():
    html = render_body("問合せ：\n□体育館【電話】221-0001\n◇プール【電話】221-0002。\n\n■次の話題", municipality=ATSUGI)
    box = re.search(r"<aside.*?</aside>", html, re.S).group()
    assert "tel:+81-46-221-0001" in box and "tel:+81-46-221-0002" in box
    assert texts_of(html, "h2") == ["次の話題"]


def test_phone_numbers_in_running_text_are_linked():
    html = render_body("申込み：5月1日から窓口【電話】0120-123-456へ。")
    assert 'href="tel:+81-120-123-456"' in html


def test_local_numbers_are_completed_with_the_municipalitys_area_code():
    html = render_body("問合せ：市民課\n【電話】225-2746", municipality=ATSUGI)
    assert '<a class="kh-tel" href="tel:+81-46-225-2746">046-225-2746</a>' in html


@pytest.mark.parametrize(
    ("printed", "href"),
    [
        ("0120-123-456", "tel:+81-120-123-456"),  # toll-free
        ("0800-200-3410", "tel:+81-800-200-3410"),
        ("090-1234-5678", "tel:+81-90-1234-5678"),  # mobile
        ("050-3123-4567", "tel:+81-50-3123-4567"),  # IP
        ("03-3261-1285", "tel:+81-3-3261-1285"),  # already complete, another area
        ("046-225-2746", "tel:+81-46-225-2746"),
    ],
)
def test_complete_numbers_keep_their_own_code(printed, href):
    assert f'href="{href}"' in render_body(f"【電話】{printed}", municipality=ATSUGI)
    assert f'href="{href}"' in render_body(f"【電話】{printed}")


def test_numbers_that_cannot_be_completed_are_not_linked():
    # Without the municipality nobody knows the area code; 12-3456 fits none of 厚木's ranges;
    # 025-1234-5678 is not a valid number.
    assert "kh-tel" not in render_body("【電話】225-2746")
    assert "kh-tel" not in render_body("【電話】12-3456", municipality=ATSUGI)
    assert "kh-tel" not in render_body("【電話】025-1234-5678", municipality=ATSUGI)
    assert "225-2746" in render_body("【電話】225-2746")


@pytest.mark.corpus
def test_corpus_phone_numbers_are_linked_valid_and_in_atsugi(corpus_bodies):
    import phonenumbers
    from phonenumbers import geocoder

    printed = linked = completed = 0
    for body in corpus_bodies:
        numbers = re.findall(r"【(?:電話|電話・FAX)】(\d[\d-]+)", repair_text(body))
        local = {n.replace("-", "") for n in numbers if not n.startswith("0")}
        printed += len(numbers)
        for href in re.findall(r'class="kh-tel" href="tel:([^"]+)"', render_body(body, municipality=ATSUGI)):
            number = phonenumbers.parse(href)
            assert phonenumbers.is_valid_number(number), href
            linked += 1
            if str(number.national_number)[2:] in local:  # completed with 046
                completed += 1
                assert geocoder.description_for_number(number, "ja") == "厚木", href
    assert printed > 1500 and linked / printed >= 0.99 and completed > 1300


def test_contact_of_reads_the_articles_last_contact():
    body = "■講座A\n問合せ：講師A\n【電話】090-0000-0001\n\n問合せ：市民課\n【電話】123-4567【FAX】123-4568\n【メール】a@example.jp"
    assert contact_of(body) == {
        "label": "問合せ",
        "name": "市民課",
        "tel": ["123-4567"],
        "fax": ["123-4568"],
        "email": ["a@example.jp"],
    }
    assert contact_of("問い合わせ先は後日お知らせします。") is None


# --- "?" → "〜" ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("日時：6月2日　9時?", "日時：6月2日　9時〜"),
        ("受付：3月1日?3月20日", "受付：3月1日〜3月20日"),
        ("費用：300?1500円", "費用：300〜1500円"),
        ("(1)13時30分?(2)15時?(各回40分)", "(1)13時30分〜(2)15時〜(各回40分)"),
        ("対象：小学1年?中学3年生", "対象：小学1年〜中学3年生"),
        ("年長?小学2年生の子ども", "年長〜小学2年生の子ども"),
        ("月?金曜：8時30分?17時", "月〜金曜：8時30分〜17時"),
        ("生後6カ月?歩き始めの子", "生後6カ月〜歩き始めの子"),
        ("任期：4月?(3年間)", "任期：4月〜(3年間)"),
        ("4月上旬?5月中旬に見頃", "4月上旬〜5月中旬に見頃"),
        ("放送：10/1?", "放送：10/1〜"),
        ("場所は(1)?(3)が本館", "場所は(1)〜(3)が本館"),
        ("10万?30万円", "10万〜30万円"),
    ],
)
def test_lost_wave_dash_is_repaired_where_a_range_is_certain(source, expected):
    assert repair_text(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "■防災って何?",
        "どこへ行く?",
        "問合せ：?田",  # a lost kanji, not a range
        "「これ何?」と聞かれた",
        "明日?",
        "何時?",
        "https://example.jp/page?2024",
        "?の全てを満たす方",
    ],
)
def test_real_question_marks_and_unknown_losses_are_left_alone(source):
    assert repair_text(source) == source


def test_lost_hyphens_in_phone_numbers_and_postcodes_are_hyphens_not_wave_dashes():
    assert repair_text("【電話】046?123?4567") == "【電話】046-123-4567"
    assert repair_text("【電話】?123-4567") == "【電話】123-4567"
    assert repair_text("〒100?0001") == "〒100-0001"
    assert 'href="tel:+81-46-225-4567"' in render_body("問合せ：市民課\n【電話】225?4567", municipality=ATSUGI)


# --- Safety -----------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>本文",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<img src="https://evil.example/track.gif" alt="地図" onerror=alert(1)>',
    '<IMG SRC="javascript:alert(1)">',
    '<a href="javascript:alert(1)">押す</a>',
    '<a href="jav&#x09;ascript:alert(1)">押す</a>',
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<<script>script>alert(1)<</script>/script>",
    '<img alt="x" src=x onerror=alert(1)',
    "<b onmouseover=alert(1)>太字</b>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>body{display:none}</style>本文",
    "<!-- <script>alert(1)</script> -->本文",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<img src=x alt="&quot; onerror=&quot;alert(1)">',
    '<img src=x alt="<script>alert(1)</script>">',
    '■<span onclick="alert(1)">見出し</span>',
    '問合せ：課\n【メール】a@example.jp" onmouseover="alert(1)',
    '【電話】123-4567" onclick="alert(1)',
    "https://example.jp/?q=\"><script>alert(1)</script>",
    "\ue0000\ue001 forged image token",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_html_never_reaches_the_page(source):
    assert_safe(render_body(source))
    # plain_text is text, escaped where shown, but it never carries a live tag from the source.
    assert "<script" not in plain_text(source).lower() or "&lt;script" in source


def test_image_from_another_host_becomes_its_alt_text():
    html = render_body('会場の様子\n<img src="https://other.example/a.jpg" alt="満開の桜" width="300">\n以上')
    assert '<span class="kh-img-alt">画像: 満開の桜</span>' in html
    assert "other.example" not in html
    assert render_body('<img src="https://other.example/a.jpg" alt="">') == ""


def test_markup_in_the_text_is_shown_as_text_not_markup():
    html = render_body("価格は1<2の関係\n&lt;b&gt;")
    assert "1&lt;2" in html and "&lt;b&gt;" in html and "<b>" not in html


# --- Plain text -------------------------------------------------------------------------------


def test_plain_text_strips_markers_tags_and_images():
    body = (
        "■夏祭り\n◇踊りの部\n<b>楽しい</b>催しです。\n"
        '<img src="https://other.example/a.jpg" alt="会場図">\n'
        "〔日時〕8月1日　18時?\n・浴衣で参加\n※雨天中止\n\n問合せ：市民課\n【電話】123-4567"
    )
    text = plain_text(body)
    for marker in ("■", "◇", "〔", "〕", "<", ">", "【", "】", "・浴衣", "※", "会場図"):
        assert marker not in text, marker
    assert "夏祭り" in text and "踊りの部" in text and "楽しい催しです。" in text
    assert "日時：8月1日　18時〜" in text and "浴衣で参加" in text and "雨天中止" in text
    assert "問合せ：市民課 電話 123-4567" in text


def test_plain_text_keeps_enumeration_numbers_the_text_refers_to():
    text = plain_text("(1)午前\n(2)午後\n※(1)は予約制")
    assert "(1)午前" in text and "(2)午後" in text and "(1)は予約制" in text


@pytest.mark.parametrize(
    ("source", "lost"),
    [
        ("問合せ：?木\n【電話】090-0000-0000", ["問合せ：?木 【電話"]),
        ("講師：山?　太郎さん", ["講師：山?　太郎さん"]),
        ("戸?良彦賞", ["戸?良彦賞"]),
        ("問合せ：岩?", ["問合せ：岩?"]),
        ("何が変わる?", []),
        ("本当に大丈夫?\n次の行", []),
        ("6月1日?7日", []),  # repaired to 〜, so nothing is lost
    ],
)
def test_lost_characters_are_found_and_questions_are_not(source, lost):
    assert lost_characters(source) == lost
