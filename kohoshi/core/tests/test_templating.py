"""kohoshi.core.templating: folded templates render what Django's own loader renders, for every
request, language and setting; nothing that depends on the request is ever kept."""
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import Context, Engine
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from kohoshi.core import templating
from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article, Issue

LIBRARIES = {"kohoshi_i18n": "kohoshi.core.templatetags.kohoshi_i18n", "static": "django.templatetags.static"}
BUILTINS = ["kohoshi.core.templatetags.kohoshi_urls"]

TEMPLATES = {
    "base.html": (
        '{% load kohoshi_i18n static %}<html lang="{{ lang }}"><link href="{% static "kohoshi/site.css" %}">'
        '<a href="{% url "newsletters:home" %}">{% translate "ホーム" %}</a>'
        '{% if dark %}<b>{% translate "検索" %}</b>{% url "newsletters:about" %}{% else %}<i>{% translate "メニュー" %}</i>{% endif %}'
        '{% for item in items %}<li>{% translate "記事を検索" %}={{ item }}</li>{% empty %}{% translate "ホーム" %}{% endfor %}'
        '<main>{% block content %}base{% endblock %}</main>'
        '{% block footer %}<footer>{% translate "このサイトについて" %}{% url "newsletters:about" %}</footer>{% endblock %}'
        '{% language "en" %}<p>{% translate "ホーム" %}{% static "kohoshi/site.css" %}</p>{% endlanguage %}{% translate "ホーム" %}'
        '<img src="{% static picture %}">{% translate word %}{% url "newsletters:municipality" code %}</html>'
    ),
    "middle.html": (
        '{% extends "base.html" %}{% load kohoshi_i18n %}'
        '{% block content %}<section>{% translate "検索" %}{% block inner %}middle{% endblock %}</section>'
        '{% include "part.html" %}{% include "./part.html" with extra="x" only %}{% endblock %}'
    ),
    "part.html": '{% load kohoshi_i18n %}<p>{% translate "メニュー" %}{{ name }}|{{ extra|default:"-" }}</p>',
    "page.html": (
        '{% extends "middle.html" %}{% load kohoshi_i18n %}'
        '{% block inner %}{{ block.super }}|{% translate "メニュー" %}&{{ name }}{% endblock %}'
        '{% block footer %}{% autoescape off %}{{ block.super }}{{ raw }}{% endautoescape %}{% endblock %}'
    ),
}

CONTEXTS = [
    {"lang": "ja", "dark": True, "items": ["a", "<b>"], "name": "<町>", "raw": "<raw>", "picture": "kohoshi/reader.js",
     "word": "検索", "code": "142123"},
    {"lang": "en", "dark": False, "items": [], "name": "x", "raw": "", "picture": "kohoshi/site.css", "word": "ホーム",
     "code": "011002"},
]


def engine(loader: str) -> Engine:
    return Engine(loaders=[(loader, [("django.template.loaders.locmem.Loader", TEMPLATES)])],
                  libraries=LIBRARIES, builtins=BUILTINS)


def walk(nodelist):
    for node in nodelist:
        yield node
        if hasattr(node, "conditions_nodelists"):  # {% if %}: its nodelist is made anew on each read
            for _, inner in node.conditions_nodelists:
                yield from walk(inner)
            continue
        for attr in node.child_nodelists:
            yield from walk(getattr(node, attr, None) or [])


def test_folded_templates_render_as_django_renders_them_in_every_language_and_context():
    folded, plain = engine("kohoshi.core.templating.Loader"), engine("django.template.loaders.cached.Loader")
    for name in TEMPLATES:
        for language in ("ja", "en", "ko", "ja"):
            for values in CONTEXTS:
                with translation.override(language):
                    expected = plain.get_template(name).render(Context(values))
                    assert folded.get_template(name).render(Context(values)) == expected
                    assert folded.get_template(name).render(Context(values, autoescape=False)) == \
                        plain.get_template(name).render(Context(values, autoescape=False))
    with translation.override("en"):
        page = folded.get_template("page.html").render(Context(CONTEXTS[0]))
    assert "Home" in page and "Search" in page and "&lt;町&gt;" in page and "<raw>" in page and "/m/142123/" in page


def test_only_constant_runs_fold():
    template = engine("kohoshi.core.templating.Loader").get_template("base.html")
    nodes = list(walk(template.nodelist))
    folds = [node for node in nodes if isinstance(node, templating.FoldedNode)]
    kept = [type(node).__name__ for fold in folds for node in fold.nodes]
    assert {"StaticNode", "RememberedURLNode", "RememberedTranslateNode", "TextNode", "LoadNode"} <= set(kept)
    for fold in folds:  # no variable, no argument taken from the context
        for node in fold.nodes:
            assert templating._constant(node)
    assert "VariableNode" not in kept and "IfNode" not in kept and "BlockNode" not in kept
    # {% static picture %}, {% translate word %} and {% url … code %} stay outside every fold (as does
    # a lone constant: {% empty %}'s translation)
    outside = [node for node in nodes if type(node).__name__ in ("StaticNode", "RememberedTranslateNode",
                                                                  "RememberedURLNode")]
    assert sorted(type(node).__name__ for node in outside if not templating._constant(node)) == [
        "RememberedTranslateNode", "RememberedURLNode", "StaticNode"]
    assert len(outside) == 4
    # inside {% if %}, {% for %} and blocks too
    assert any(isinstance(node, templating.FoldedNode) for _, inner in
               next(n for n in template.nodelist if type(n).__name__ == "IfNode").conditions_nodelists for node in inner)


def test_an_include_finds_its_template_again_once_the_loader_forgets():
    templates = {"outer.html": '<{% include "inner.html" %}>', "inner.html": "one"}
    for debug in (False, True):
        folded = Engine(loaders=[("kohoshi.core.templating.Loader", [("django.template.loaders.locmem.Loader",
                                                                      templates)])], debug=debug)
        templates["inner.html"] = "one"
        assert folded.get_template("outer.html").render(Context()) == "<one>"
        templates["inner.html"] = "two"
        # kept, as Django's cached loader keeps it
        assert folded.get_template("outer.html").render(Context()) == "<one>"
        folded.template_loaders[0].reset()  # as the autoreloader does when a template file changes
        assert folded.get_template("outer.html").render(Context()) == "<two>"


class Boom:
    @property
    def fuse(self):
        raise ValueError("boom")


def test_a_debug_engine_still_says_where_a_template_failed():
    templates = {"failing.html": "{% load kohoshi_i18n %}<p>{% translate \"ホーム\" %}</p>\n<p>{{ thing.fuse }}</p>"}
    for debug in (True, False):
        folded = Engine(loaders=[("kohoshi.core.templating.Loader", [("django.template.loaders.locmem.Loader",
                                                                      templates)])],
                        libraries=LIBRARIES, builtins=BUILTINS, debug=debug)
        with pytest.raises(ValueError) as raised:
            folded.get_template("failing.html").render(Context({"thing": Boom()}))
        if debug:
            assert raised.value.template_debug["line"] == 2
            assert raised.value.template_debug["during"] == "{{ thing.fuse }}"
        else:
            assert not hasattr(raised.value, "template_debug")


def test_a_changed_setting_is_not_answered_from_the_memo():
    folded = engine("kohoshi.core.templating.Loader")
    template = folded.get_template("base.html")
    before = template.render(Context(CONTEXTS[1]))
    with override_settings(STATIC_URL="/elsewhere/", STORAGES={**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        during = template.render(Context(CONTEXTS[1]))
    assert "/elsewhere/kohoshi/site.css" in during and "/elsewhere/" not in before
    assert template.render(Context(CONTEXTS[1])) == before


class Shelf:
    """An object of the kinds a template meets: attributes, methods, properties, a subscript."""

    title = "<棚>"
    count = 3
    when = date(2025, 5, 1)
    amount = Decimal("1234.5")
    safe = mark_safe("<b>安全</b>")
    lazy = gettext_lazy("ホーム")
    nothing = None

    def label(self):
        return "呼ばれた<>"

    calls = []

    def delete(self):
        self.calls.append("delete")  # never: a method that alters data is not called from a template
        return "deleted"

    delete.alters_data = True

    def kept(self):
        return "呼ばれない"

    kept.do_not_call_in_templates = True

    @property
    def broken(self):
        raise AttributeError("inside a property")

    @property
    def child(self):
        return Shelf()

    @property
    def gone(self):
        raise Article.DoesNotExist  # silent_variable_failure: Django prints nothing

    def needs_argument(self, value):
        return value


class Keyed:
    """Takes a subscript: Django answers `keyed.title` from keyed["title"]."""

    title = "attribute"

    def __getitem__(self, key):
        if key == "title":
            return "subscript"
        raise KeyError(key)


VARIABLES = [
    "shelf.title", "shelf.count", "shelf.when", "shelf.amount", "shelf.safe", "shelf.lazy", "shelf.nothing",
    "shelf.label", "shelf.delete", "shelf.kept", "shelf.child.title", "shelf.child.label", "shelf.missing",
    "shelf.missing.deeper", "row.title", "row.items", "row.missing", "plain.items", "rows.1.title", "rows.5",
    "keyed.title", "keyed.other", "function", "function.upper", "absent", "text.upper", "number", "row",
    "shelf.gone", "shelf.gone.title", "shelf.needs_argument", "shelf.child.child.label", "shelf.label.upper",
]


def test_variables_resolve_and_render_as_django_resolves_and_renders_them():
    """FastVariable and FastVariableNode answer the common cases themselves and leave the rest to
    Django: every kind of lookup must give what Django gives, printed, tested and filtered."""
    source = "".join(
        f"[{{{{ {name} }}}}|{{% if {name} %}}y{{% else %}}n{{% endif %}}|{{{{ {name}|default:'-' }}}}"
        f"|{{% with v={name} %}}{{{{ v }}}}{{% endwith %}}]" for name in VARIABLES)
    pages = {"variables.html": source}
    folded = Engine(loaders=[("kohoshi.core.templating.Loader", [("django.template.loaders.locmem.Loader", pages)])])
    plain = Engine(loaders=[("django.template.loaders.locmem.Loader", pages)])
    values = {"shelf": Shelf(), "row": {"title": "<行>", "items": "key, not method"}, "plain": {"a": 1},
              "rows": [{"title": "0"}, {"title": "一"}], "keyed": Keyed(), "function": lambda: "関数<>",
              "text": "abc", "number": 1234567}
    fast = folded.get_template("variables.html")
    assert any(type(v).__name__ == "FastVariable" for v in _variables(fast.nodelist))
    for autoescape in (True, False):
        expected = plain.get_template("variables.html").render(Context(values, autoescape=autoescape))
        assert fast.render(Context(values, autoescape=autoescape)) == expected
    assert "呼ばれた&lt;&gt;" in expected.replace("<>", "&lt;&gt;") and "[subscript|" in expected
    assert Shelf.calls == [] and "deleted" not in expected

    broken = {"broken.html": "{{ shelf.broken }}"}
    for engine_ in (Engine(loaders=[("kohoshi.core.templating.Loader", [("django.template.loaders.locmem.Loader",
                                                                          broken)])]),
                    Engine(loaders=[("django.template.loaders.locmem.Loader", broken)])):
        with pytest.raises(AttributeError, match="inside a property"):  # Django re-raises a property's error
            engine_.get_template("broken.html").render(Context(values))


def _variables(nodelist):
    for node in walk(nodelist):
        expression = getattr(node, "filter_expression", None)
        if expression is not None:
            yield expression.var


PAGE_READERS = [
    {},
    {"HTTP_COOKIE": "django_language=en; kh_font=xl; kh_theme=dark; kh_spacing=wider; kh_contrast=high"},
    {"HTTP_COOKIE": "django_language=ko; kh_font=s; kh_theme=light"},
]


@pytest.mark.django_db
def test_every_public_page_of_two_real_issues_is_the_same_html_as_with_djangos_loader(corpus_csv_files, client,
                                                                                     settings):
    """Real input: two of the ../shared corpus's 広報あつぎ CSV files (CC BY 4.0)."""
    settings.KOHOSHI_PAGE_CACHE = False  # every request renders its page
    assert not files_import(corpus_csv_files[:2], kind="csv").errors
    issues = list(Issue.objects.select_related("newsletter"))
    paths = ["/", "/about/", "/for-municipalities/", "/search/?q=子育て", "/search/?q=ごみ&muni=142123"]
    for issue in issues:
        paths += [issue.get_absolute_url(), issue.newsletter.get_absolute_url(),
                  issue.newsletter.municipality.get_absolute_url()]
    paths += [article.get_absolute_url() for article in Article.objects.filter(issue__in=issues).with_place()]
    plain = [{**settings.TEMPLATES[0], "OPTIONS": {
        **settings.TEMPLATES[0]["OPTIONS"],
        "loaders": [("django.template.loaders.cached.Loader", settings.TEMPLATES[0]["OPTIONS"]["loaders"][0][1])]}}]
    assert len(paths) > 40
    # All folded pages first, then Django's: a changed setting (the override) empties the memos.
    folded = {(path, i): client.get(path, HTTP_USER_AGENT="Mozilla/5.0", **reader)
              for i, reader in enumerate(PAGE_READERS) for path in paths}
    with override_settings(TEMPLATES=plain):
        for (path, i), response in folded.items():
            expected = client.get(path, HTTP_USER_AGENT="Mozilla/5.0", **PAGE_READERS[i])
            assert response.status_code == expected.status_code == 200, path
            assert response.content == expected.content, (path, PAGE_READERS[i])
            assert response.get("X-Kohoshi-Cache", "") == expected.get("X-Kohoshi-Cache", "") == ""


def test_url_tags_reverse_in_the_application_django_would_choose():
    """current_app: the request's own, else its resolved view's namespace, else none (as URLNode)."""
    from types import SimpleNamespace

    from kohoshi.core.templatetags.kohoshi_urls import current_app

    assert current_app(SimpleNamespace(current_app="staff", resolver_match=SimpleNamespace(namespace="x"))) == "staff"
    assert current_app(SimpleNamespace(current_app=None, resolver_match=SimpleNamespace(namespace="x"))) is None
    assert current_app(SimpleNamespace(resolver_match=SimpleNamespace(namespace="newsletters"))) == "newsletters"
    assert current_app(SimpleNamespace(resolver_match=None)) is None
    assert current_app(SimpleNamespace()) is None
    assert current_app(None) is None
