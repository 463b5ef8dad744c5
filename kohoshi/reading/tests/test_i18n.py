"""The reading site in its six interface languages (ja, en, zh-Hans, ko, vi, pt), chosen by the
reader through /settings/?language= (a cookie). Every public page type renders in each language
with the right <html lang>, shows the translation of a few key strings of its own, and has no
Japanese kana left outside the newsletters' own content (marked lang="ja")."""
import re
from html import escape
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import translation

from kohoshi.reading.context_processors import bcp47
from kohoshi.staff.tests.factories import make_issue

pytestmark = pytest.mark.django_db

NO_HITS = "存在しない語句ゾ"  # the reader's own words, echoed back
LANGS = {"ja": "ja", "en": "en", "zh-hans": "zh-Hans", "ko": "ko", "vi": "vi", "pt": "pt"}

# Kana (hiragana, katakana, half-width katakana): Japanese text; kanji alone could be Chinese, so
# kanji count as Japanese only in the languages that do not write with them.
KANA = re.compile(r"[\u3041-\u30ff\uff66-\uff9f]+")
KANA_OR_KANJI = re.compile(r"[\u3041-\u30ff\uff66-\uff9f\u3400-\u4dbf\u4e00-\u9fff]+")


def japanese(code):
    return KANA if code == "zh-hans" else KANA_OR_KANJI
# Japanese that a translation keeps on purpose: search and input examples quoted from Japanese
# newsletters (the reader types them in Japanese), and the ・ bullet mark.
KANA_ALLOWED = {"・", "ー"}

# Japanese words that Chinese writes the same way (the catalogue test checks they are translated).
SAME_IN = {"zh-hans": {"配色", "中部", "近畿", "四国", "小", "中", "大", "特大"}}

# Strings every page has (base.html), then the key strings of each page type.
CHROME = [
    "メニュー", "本文へ移動", "わたしのまち", "表示の設定", "自治体の皆さまへ", "このサイトについて", "文字サイズ", "言語",
    "切り替え", "行間・配色など",
]


class _Visible(HTMLParser):
    """Visible text and the labels a screen reader reads (alt, aria-label, title, placeholder, value
    of buttons), outside any element in another language than the page's (lang="ja": the
    newsletters' own words)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, is_japanese)
        self.skip = 0  # inside <script>/<style>
        self.parts = []
        self.html_lang = None

    def _japanese(self):
        return any(j for _, j in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        # lang="ja": the newsletters' words; any other lang: a language's own name in the switch.
        japanese = tag != "html" and "lang" in attrs and attrs["lang"] != self.html_lang
        if not (japanese or self._japanese()):
            for name in ("alt", "aria-label", "title", "placeholder"):
                if attrs.get(name):
                    self.parts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag in ("script", "style", "code"):
            self.skip += 1
        if tag not in self.VOID:
            self.stack.append((tag, japanese))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code"):
            self.skip -= 1
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self.skip and not self._japanese() and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> tuple[str | None, list[str]]:
    parser = _Visible()
    parser.feed(html)
    return parser.html_lang, parser.parts


@pytest.fixture
def pages(db):
    issue = make_issue(n_articles=3)
    article = issue.articles.order_by("position").first()
    newsletter = issue.newsletter
    return {
        "home": ("/", ["新着の号", "広報紙を、記事ごとに読みやすく", "記事を検索", "関東", "九州・沖縄"]),
        "prefecture": ("/p/01/", ["広報紙を読める自治体"]),
        "municipality": (f"/m/{newsletter.municipality.code}/", ["わたしのまちにする", "新しい号をメールで受け取る"]),
        "newsletter": (newsletter.get_absolute_url(), ["バックナンバー", "新着記事を受け取る:"]),
        "issue": (issue.get_absolute_url(), ["目次"]),
        "article": (
            article.get_absolute_url(), ["次の記事", "目次", "この記事を共有", "同じ号の記事", "ふりがなをつける"]
        ),
        "search": ("/search/?q=本文", ["条件を絞り込む", "並び順", "関連度順"]),
        "search-empty": (
            f"/search/?q={NO_HITS}", ["ことばを減らすか、短いことばにしてみてください(例: 「子ども医療費助成」→「医療費」)。"]
        ),
        "about": ("/about/", ["読みやすさのために", "個人情報について"]),
        "for-municipalities": ("/for-municipalities/", ["用意していただくもの", "費用", "公開までの流れ"]),
        "my-town": ("/my-town/", ["市区町村を探す", "まだまちを選んでいません。"]),
        "subscriptions": ("/subscriptions/", ["確認メールを送る", "メールアドレスの取り扱い"]),
        "survey": (
            f"/survey/a/{article.pk}/",
            ["この記事についてのアンケート", "送信する", "(必須)", "この記事は役に立ちましたか", "どちらともいえない", "年代(任意)"],
        ),
        "settings": ("/settings/", ["コントラスト", "高コントラスト", "ふりがな", "行間", "配色", "暗い"]),
        "kirinuki": ("/kirinuki/", ["まだ保存した記事はありません。"]),
        "offline": ("/offline/", ["オフラインです"]),
        "login": ("/staff/login/", ["スタッフのログイン", "ログイン"]),
    }


def _choose(client, code):
    response = client.get("/settings/", {"language": code, "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == code


def test_the_six_languages_are_offered_in_their_own_names(client):
    assert [code for code, _ in settings.LANGUAGES] == list(LANGS)
    html = client.get("/").content.decode()
    names = {"ja": "日本語", "en": "English", "zh-hans": "简体中文", "ko": "한국어", "vi": "Tiếng Việt", "pt": "Português"}
    for code, name in names.items():
        assert f'<option value="{code}" lang="{LANGS[code]}"' in html
        assert f">{name}</option>" in html


@pytest.mark.parametrize("code", list(LANGS))
def test_every_public_page_type_speaks_the_chosen_language(client, pages, code):
    _choose(client, code)
    content = _content()
    problems = []
    for name, (url, keys) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        html = response.content.decode()
        lang, parts = visible(html)
        assert lang == LANGS[code], (name, lang)
        assert f'<option value="{code}" lang="{LANGS[code]}" selected>' in html, name
        with translation.override(code):
            for msgid in CHROME + keys:
                text = translation.gettext(msgid)
                if code != "ja" and msgid not in SAME_IN.get(code, ()):
                    assert text != msgid, f"{code}: no translation of {msgid!r}"
                if escape(text, quote=False) not in html and escape(text) not in html:
                    problems.append(f"[{code} {name}] {text!r} ({msgid!r}) not on the page")
        if code != "ja":
            left = {run for part in parts for run in japanese(code).findall(part)} - KANA_ALLOWED
            quoted = _examples(code) + content
            left = {run for run in left if not any(run in text for text in quoted)}
            if left:
                problems.append(f"[{code} {name}] Japanese left in the interface: {sorted(left)}")
    assert not problems, "\n".join(problems)


def _content():
    """The newsletters' and municipalities' own words (names, titles, categories, survey questions
    the municipality wrote, article text): Japanese in every interface language."""
    from kohoshi.engagement.models import SurveyQuestion
    from kohoshi.newsletters.models import Article, Category, Issue, Newsletter
    from kohoshi.places.models import Municipality, Prefecture

    texts = []
    for m in Municipality.objects.all():
        texts += [m.full_name, m.kana]
    texts += [p.name for p in Prefecture.objects.all()]
    texts += [c.name for c in Category.objects.all()]
    texts += [n.title for n in Newsletter.objects.all()]
    for i in Issue.objects.all():
        texts += [i.title, i.number]
    for a in Article.objects.all():
        texts += [a.title, a.body_source]
    for q in SurveyQuestion.objects.all():
        texts += [q.text, q.choices]
    from kohoshi.engagement.questions import DEFAULT_QUESTIONS

    for q in DEFAULT_QUESTIONS:  # the wording staff edit and the answers they count: Japanese data
        texts += [q.text, *q.choices]
    from kohoshi.accounts.models import AuditEntry

    texts += [e.summary for e in AuditEntry.objects.all()]  # the log as it was written
    return [t for t in texts if t] + [NO_HITS]


def _examples(code):
    """Japanese the translations quote on purpose (examples of what to type or search)."""
    with translation.override(code):
        strings = [translation.gettext(m) for m in (
            "ことばを減らすか、短いことばにしてみてください(例: 「子ども医療費助成」→「医療費」)。",
            "ひらがな・カタカナ・漢字の書き方を変えてみてください(例: 「検診」と「健診」)。",
            "例: あつぎ",
            "記事を検索(例: 子育て 防災 ごみ)",
            "ことばをスペースで区切るとすべてを含む記事、\"平和の鐘\" のように \" で囲むとそのままの並び、OR でどちらか、-郵便局 のように - を付けるとその語を含まない記事を探します。",
            "「■」で始まる行は見出し、「◇」は小見出し、「・」は箇条書きになります。「問合せ：環境課【電話】0144-32-6111」のように書くと問合せ先の枠になります。段落の間は空行にします。詳しくは「本文の書き方」をご覧ください。",
            "「項目名：内容」と書いた行(全角の「：」)や、「〔日時〕」「《申込み》」で始まる行は、項目と内容の表になります。",
            "紙面の題字のとおりに入れてください。例: 広報あつぎ",
            "本文は、■で始まる行を見出し、◇・◆で始まる行を小見出し、・で始まる行を箇条書き、「問合せ：…【電話】…」を問合せ先として整形します。",
            "「問合せ：」で始まる行(「問い合わせ先：」「申込み・問合せ：」も同じ)は、問合せ先の枠として表示されます。空行までの次の行も同じ枠に入ります。電話番号は【電話】、ファクスは【FAX】、メールは【メール】の後ろに続けて書きます。【電話】の番号は、スマートフォンで押すと電話をかけられるリンクになります。",
        )]
    return strings


def test_html_lang_is_a_bcp47_tag():
    assert bcp47("zh-hans") == "zh-Hans"
    assert bcp47("pt-br") == "pt-BR"
    assert bcp47("ko") == "ko"


def test_the_choice_is_kept_across_pages_and_replaces_accept_language(client, pages):
    _choose(client, "vi")
    for url, _ in list(pages.values())[:5]:
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
        assert '<html lang="vi"' in html and "Cỡ chữ" in html  # 文字サイズ
    _choose(client, "ja")
    assert '<html lang="ja"' in client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()


def test_an_unknown_language_is_refused_and_the_browser_language_is_used_without_a_choice(client):
    response = client.get("/settings/", {"language": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9").content.decode()
    assert '<html lang="pt"' in html and "Tamanho do texto" in html
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert '<html lang="zh-Hans"' in html and "字号" in html


def test_plural_forms_follow_each_language(client):
    with translation.override("pt"):
        assert translation.ngettext("%(n)s 自治体", "%(n)s 自治体", 1) % {"n": 1} == "1 município"
        assert translation.ngettext("%(n)s 自治体", "%(n)s 自治体", 3) % {"n": 3} == "3 municípios"
    with translation.override("ko"):
        assert translation.ngettext("%(n)s 自治体", "%(n)s 自治体", 3) % {"n": 3} == "지자체 3곳"
    with translation.override("zh-hans"):
        assert translation.ngettext("%(n)s 自治体", "%(n)s 自治体", 1) % {"n": 1} == "1 个地方政府"


def test_the_default_survey_is_asked_in_the_readers_language_and_stored_in_japanese(client, pages):
    from kohoshi.engagement.models import SurveyResponse

    _choose(client, "ko")
    url = pages["survey"][0]
    html = client.get(url).content.decode()
    assert "이 기사가 도움이 되었나요?" in html and 'value="役に立った"' in html
    assert "> 도움이 되었다</label>" in html
    response = client.post(url, {"helpful": "役に立った", "clarity": "ふつう", "age_band": "30代"})
    assert response.status_code == 302
    answer = SurveyResponse.objects.get()
    assert (answer.helpful, answer.clarity, answer.age_band) == ("役に立った", "ふつう", "30代")


@pytest.mark.parametrize("code", [c for c in LANGS if c != "ja"])
def test_the_staff_pages_follow_the_same_choice(client, code):
    """The staff pages share base.html's menu and its switch; their own strings are translated."""
    from kohoshi.accounts.models import Role
    from kohoshi.staff.tests.factories import PASSWORD, TOMAKOMAI, make_staff

    issue = make_issue(n_articles=2)
    article = issue.articles.order_by("position").first()
    user = make_staff("editor", role=Role.PUBLISHER)
    from kohoshi.accounts.models import Membership

    Membership.objects.create(user=user, municipality_id="011002", role=Role.VIEWER)  # two towns: a choice
    assert client.login(username="editor", password=PASSWORD)
    _choose(client, code)
    base = f"/staff/m/{TOMAKOMAI}/"
    pages = {
        "/staff/": ["スタッフ用ページ", "担当している自治体を選んでください。"],
        base: ["号と記事", "スタッフメニュー"],
        f"{base}issues/{issue.pk}/": ["公開ページを見る", "掲載順を保存", "記事ごとの二次元コード"],
        f"{base}issues/{issue.pk}/unpublish/": ["非公開の確認", "非公開にする"],
        f"{base}articles/{article.pk}/edit/": ["記事の編集", "本文の書き方(見出し・箇条書き・項目・問合せ先)", "プレビュー"],
        f"{base}dashboard/": ["閲覧数の推移", "アンケートの結果", "CSVでダウンロード"],
        f"{base}audit/": ["操作した人"],
        f"{base}survey/questions/": ["この設問を使う"],
        f"{base}ingest/": ["アップロードして読み取る", "最近の取り込み"],
    }
    problems = []
    content = _content()
    for url, keys in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        lang, parts = visible(html)
        assert lang == LANGS[code], url
        with translation.override(code):
            for msgid in keys + ["メニュー", "ログアウト"]:
                text = translation.gettext(msgid)
                assert text != msgid, msgid
                if escape(text, quote=False) not in html and escape(text) not in html:
                    problems.append(f"[{code} {url}] {text!r} ({msgid!r}) not on the page")
        left = {run for part in parts for run in japanese(code).findall(part)} - KANA_ALLOWED
        left = {run for run in left if not any(run in text for text in _examples(code) + content)}
        if left:
            problems.append(f"[{code} {url}] Japanese left in the interface: {sorted(left)}")
    assert not problems, "\n".join(problems)


def test_the_app_manifest_speaks_the_chosen_language(client):
    import json

    _choose(client, "zh-hans")
    response = client.get("/manifest.webmanifest")
    manifest = json.loads(response.content)
    assert manifest["lang"] == "zh-Hans"
    assert manifest["description"] == "全国各地政府的公报，按文章分开，方便阅读。"
    assert {s["name"] for s in manifest["shortcuts"]} == {"我的剪报", "我的城市"}
    assert "Cookie" in response["Vary"] and "Accept-Language" in response["Vary"]
