"""{% load kohoshi_i18n %}: a constant {% translate %} is remembered per language, never across
languages; everything else behaves as Django's tag."""
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[2]


def test_one_compiled_template_follows_the_active_language():
    page = Template('{% load kohoshi_i18n %}{% translate "検索" %}|{% translate word %}|'
                    '{% translate "検索" as label %}[{{ label }}]|{% translate "検索" noop %}')
    seen = []
    for language in ("ja", "en", "ko", "en", "ja"):
        with translation.override(language):
            seen.append(page.render(Context({"word": "検索"})))
    assert seen == [
        "検索|検索|[検索]|検索", "Search|Search|[Search]|検索", "검색|검색|[검색]|検索",
        "Search|Search|[Search]|検索", "検索|検索|[検索]|検索",
    ]


def test_kohoshi_templates_load_the_remembering_library():
    plain = [str(p) for p in PACKAGE.rglob("*.html") if "templates" in p.parts and "{% load i18n" in p.read_text(encoding="utf-8")]
    assert plain == []


def test_language_options_select_the_active_language_and_name_each_in_its_own():
    page = Template("{% load kohoshi_i18n %}{% language_options %}")
    for language, tag in (("ko", "ko"), ("zh-hans", "zh-Hans"), ("ja", "ja")):
        with translation.override(language):
            html = page.render(Context())
        assert html.count("<option ") == 6 and html.count(" selected") == 1
        assert f'<option value="{language}" lang="{tag}" selected>' in html
    assert '<option value="vi" lang="vi">Tiếng Việt</option>' in html


def test_the_language_is_read_once_per_render_and_language_blocks_scope_it():
    page = Template('{% load kohoshi_i18n %}{% translate "検索" %}|{% language other %}{% translate "検索" %}|'
                    '{% language "ko" %}{% translate "検索" %}{% endlanguage %}|{% translate "検索" %}{% endlanguage %}|'
                    '{% translate "検索" %}')
    context = Context({"other": "en"})
    with translation.override("ja"):
        assert page.render(context) == "検索|Search|검색|Search|検索"
        assert page.render(Context({"other": "ko"})) == "検索|검색|검색|검색|検索"
    with translation.override("ko"):  # the same Context again, in another language
        assert page.render(context) == "검색|Search|검색|Search|검색"
