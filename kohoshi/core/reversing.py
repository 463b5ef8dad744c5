"""`reverse()` remembered: a page names some 35 URLs (menus, links, canonical, its own
articles), and Django resolves each from scratch (about 20–50 µs each, 15–25 % of an uncached
article page). A URL depends only on the URL configuration, the script prefix, the view name,
its arguments and the current application, so the answer is kept per process for those.

Used by the `{% url %}` tag (kohoshi.core.templatetags.kohoshi_urls, a template builtin). Models'
get_absolute_url() keep Django's reverse(): apps do not import the project package
(kohoshi/tests/test_layers.py)."""
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse


@lru_cache(maxsize=16384)
def _reverse(urlconf, prefix, viewname, args, kwargs, current_app) -> str:
    return django_reverse(viewname, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


def reverse(viewname, args=None, kwargs=None, current_app=None, request=None) -> str:
    """As django.urls.reverse. With `request`, the URL configuration and script prefix are read once
    per request (each is a context-local lookup of 1-3 µs, and a page names 20-40 URLs): the
    handler sets them before the middleware runs, and nothing here changes them afterwards."""
    try:
        key_args = tuple(args or ())
        key_kwargs = tuple(sorted((kwargs or {}).items()))
        hash((viewname, key_args, key_kwargs))
    except TypeError:  # an argument that cannot be a key: resolve it every time
        return django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(*reverse_base(request), viewname, key_args, key_kwargs, current_app)


def reverse_base(request=None) -> tuple:
    """(URL configuration, script prefix): what a URL depends on besides its name and arguments."""
    if request is None:
        return get_urlconf(), get_script_prefix()
    base = request.__dict__.get("_kohoshi_reverse_base")
    if base is None:
        base = request._kohoshi_reverse_base = (get_urlconf(), get_script_prefix())
    return base


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()
