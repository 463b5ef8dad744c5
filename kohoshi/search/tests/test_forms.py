"""The search filters' selects are written without Django's per-option templates: the same
controls (names, ids, options, the chosen option, error links) as Django's own Select."""
import re

import pytest
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kohoshi.search.forms import SearchForm
from kohoshi.staff.tests.factories import SAPPORO, make_issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_towns():
    make_issue()
    make_issue(SAPPORO, newsletter="広報さっぽろ")


def _django_select(bound):
    widget = forms.Select(attrs=bound.field.widget.attrs)
    widget.choices = bound.field.widget.choices
    return str(bound.as_widget(widget=widget))


def _parts(html):
    """(attributes of the select, sorted; its options in order)"""
    head = re.match(r"<select ([^>]*)>", html).group(1)
    return sorted(re.findall(r'[\w-]+="[^"]*"', head)), re.findall(r"<option[^>]*>[^<]*</option>", html)


@pytest.mark.parametrize("data", [
    {}, {"pref": "14", "cat": "kosodate"}, {"muni": "012131", "order": "newest", "nl": "1"},
    {"pref": "99", "muni": "<script>", "cat": "nothing"},
])
def test_plain_selects_give_the_controls_of_djangos_select(data):
    form = SearchForm(data)
    form.is_valid()
    for name in ("pref", "muni", "nl", "cat", "order"):
        ours, theirs = _parts(str(form[name])), _parts(_django_select(form[name]))
        assert ours == theirs, name
        assert len(ours[1]) >= 2
    if data.get("pref") == "14":
        assert '<option value="14" selected>神奈川県</option>' in str(form["pref"])
        assert '<option value="" selected>' not in str(form["pref"])


def test_an_invalid_filter_is_described_by_its_message(client):
    html = client.get("/search/", {"q": "子育て", "pref": "99"}).content.decode()
    assert 'aria-describedby="id_pref_error"' in html
    assert re.search(r'<span class="kh-error" id="id_pref_error">[^<]+</span>', html)


def test_option_labels_are_what_the_models_call_themselves():
    """The options come from values_list rows, not instances: the same values and labels."""
    form = SearchForm({})
    for name in ("pref", "muni", "nl", "cat"):
        field = form.fields[name]
        key = field.to_field_name or "pk"
        expected = [("", field.empty_label)] + [(getattr(obj, key), str(obj)) for obj in field.queryset]
        assert list(field.choices) == expected, name
    # a municipality is named with its prefecture, as on the seed page
    assert ("012131", "北海道苫小牧市") in list(form.fields["muni"].choices)


OPTION_TABLES = ("places_prefecture", "places_municipality", "newsletters_newsletter", "newsletters_category")


def test_filter_options_are_cached_not_read_on_every_search(client):
    """The four option lists are the same on every search: no query for them on the next one,
    the same page; a newsletter added is offered once the cached lists expire."""
    first = client.get("/search/", {"q": "ほげほげふがふが星人"})  # no match: no article rows either
    with CaptureQueriesContext(connection) as captured:
        second = client.get("/search/", {"q": "ほげほげふがふが星人"})
    assert [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in OPTION_TABLES)] == []
    assert first.content == second.content
    make_issue(newsletter="広報テスト2")
    assert "広報テスト2" not in client.get("/search/", {"q": "子育て"}).content.decode()
    cache.delete_many([f"kohoshi:search-options:{name}" for name in ("pref", "muni", "nl", "cat")])  # expired
    assert "広報テスト2" in client.get("/search/", {"q": "子育て"}).content.decode()


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_filter_labels_are_djangos_label_tags(client, language):
    """The labels are written in the template (no form template per label): the same HTML as
    Django's label_tag, with its label suffix in each interface language."""
    html = client.get("/search/", {"q": "子育て", "pref": "99"}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        form = SearchForm({"q": "子育て", "pref": "99"})
        form.is_valid()
        for name in ("pref", "muni", "nl", "cat", "since", "until", "order"):
            assert str(form[name].label_tag()) in html, (language, name)
