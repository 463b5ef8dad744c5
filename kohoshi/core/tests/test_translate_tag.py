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
