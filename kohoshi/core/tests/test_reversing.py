"""Remembered reverse(): the same URLs as Django's, per script prefix and URL configuration."""
import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, set_script_prefix
from django.urls import reverse as django_reverse

from kohoshi.core.reversing import reverse


@pytest.fixture
def prefix():
    yield set_script_prefix
    set_script_prefix("/")


def test_remembered_urls_are_djangos_and_follow_the_script_prefix(prefix):
    args = ["142123", "koho", "2025-05-01", 10]
    assert reverse("newsletters:article", args=args) == django_reverse("newsletters:article", args=args)
    assert reverse("newsletters:home") == "/"
    prefix("/kohoshi/")  # served under a path (SCRIPT_NAME)
    assert reverse("newsletters:home") == "/kohoshi/"
    assert reverse("newsletters:article", args=args) == "/kohoshi/m/142123/koho/2025-05-01/10/"


def test_the_url_tag_uses_it_and_keeps_djangos_behaviour(prefix):
    html = Template("{% url 'newsletters:municipality' code %}|{% url 'newsletters:home' as home %}{{ home }}"
                    "|{% url 'no-such-view' as missing %}[{{ missing }}]").render(Context({"code": "142123"}))
    assert html == "/m/142123/|/|[]"
    prefix("/sub/")
    assert Template("{% url 'newsletters:home' %}").render(Context()) == "/sub/"
    with pytest.raises(NoReverseMatch):
        Template("{% url 'no-such-view' %}").render(Context())


def test_unhashable_arguments_are_resolved_every_time():
    class Code:
        __hash__ = None  # like a mutable object a template might pass

        def __init__(self, value):
            self.value = value

        def __str__(self):
            return self.value

    code = Code("142123")
    assert reverse("newsletters:municipality", args=[code]) == "/m/142123/"
    code.value = "011002"
    assert reverse("newsletters:municipality", args=[code]) == "/m/011002/"


def test_within_a_request_the_prefix_is_read_once_and_each_request_reads_its_own(prefix, rf):
    from django.template import RequestContext

    home = Template("{% url 'newsletters:home' %}")
    first = rf.get("/")
    prefix("/a/")
    assert home.render(RequestContext(first)) == "/a/"
    prefix("/b/")  # the handler sets it before a request's middleware; here, to show what is kept
    assert home.render(RequestContext(first)) == "/a/"
    assert home.render(RequestContext(rf.get("/"))) == "/b/"
