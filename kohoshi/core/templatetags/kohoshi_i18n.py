"""`{% load kohoshi_i18n %}`: Django's i18n template library, with `{% translate "…" %}` of a
constant remembered per language. A page has some 50 of them, and each asked the translation
machinery again on every render: 9 % of an article page's instructions (callgrind, 29.0 → 26.4 M a
request). Every other tag and filter is Django's own; makemessages reads the tags as ever.

`{% language_options %}`: the language menu's <option>s, the current language selected."""
from django import template
from django.conf import settings
from django.templatetags import i18n
from django.utils.html import format_html_join
from django.utils.translation import get_language

from kohoshi.reading.context_processors import bcp47

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


# The active language, read once per template render: a page has some 40 constant translations
# and folded runs (kohoshi.core.templating), and get_language() is a context-local lookup each
# time (6 % of an article page's instructions). Kept in the render context's top layer, which
# Django makes anew for each render and each {% include %} and drops after it, so a Context
# rendered again in another language reads it again; {% language %} (below) scopes it.
_LANGUAGE = "kohoshi.active_language"


def active_language(context) -> str:
    state = context.render_context.dicts[-1]
    try:
        return state[_LANGUAGE]
    except KeyError:
        state[_LANGUAGE] = language = get_language()
        return language


class ScopedLanguageNode(i18n.LanguageNode):
    """`{% language %}`: its content reads the language it sets, the rest of the page its own."""

    def render(self, context):
        state = context.render_context.dicts[-1]
        outer = state.pop(_LANGUAGE, None)
        try:
            return super().render(context)
        finally:
            state.pop(_LANGUAGE, None)
            if outer is not None:
                state[_LANGUAGE] = outer


class RememberedTranslateNode(i18n.TranslateNode):
    # set at parse time: a quoted message, no filter, context, `as` or noop (kohoshi.core.templating
    # folds these too)
    constant = False

    def render(self, context):
        if not self.constant:
            return super().render(context)
        key = (active_language(context), context.autoescape)
        memo = self.__dict__.setdefault("memo", {})
        try:
            return memo[key]
        except KeyError:
            memo[key] = value = super().render(context)
            return value


def _remembered(parser, token):
    node = i18n.do_translate(parser, token)
    node.__class__ = RememberedTranslateNode
    node.constant = not (node.noop or node.asvar or node.message_context or node.filter_expression.filters
                         or node.filter_expression.var.lookups)
    return node


register.tag("translate", _remembered)
register.tag("trans", _remembered)


@register.tag("language")
def _scoped_language(parser, token):
    node = i18n.language(parser, token)
    node.__class__ = ScopedLanguageNode
    return node


class LanguageOptionsNode(template.Node):
    # Its output depends only on the active language (and settings): kohoshi.core.templating
    # folds it with its constant neighbours.
    kohoshi_constant = True

    def render(self, context):
        current = get_language()
        return format_html_join("", '\n<option value="{}" lang="{}"{}>{}</option>', (
            (code, bcp47(code), " selected" if code == current else "", name) for code, name in settings.LANGUAGES))


@register.tag
def language_options(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("language_options takes no arguments")
    return LanguageOptionsNode()
