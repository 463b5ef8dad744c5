"""The template loader: Django's cached loader, which also folds each template once it is compiled.

Folding: a run of neighbouring nodes whose output depends only on the active language (text,
`{% translate "…" %}` of a constant, `{% static '…' %}` of a constant path, `{% url 'name' %}`
without arguments, `{% load %}`, comments, and tags marked `kohoshi_constant` such as
`{% language_options %}`) becomes one node that renders the run once per language and keeps
the string. base.html's head, menu and footer hold 54 such tags among 68 pieces of text, which
Django walked one by one, and asked the translation machinery, the URL resolver's memo and the
static storage again, on every page. Anything else (a variable, a filter, a tag with an argument
taken from the context, a block) ends a run, so what a page shows for its request never comes
from the memo. The result is the same HTML byte for byte (kohoshi/core/tests/test_templating.py
renders the public pages of two real issues both ways, in three readers' settings).

`{% extends %}` also remembers where its parent's blocks are: Django walked the parent's whole
node tree for them on every render (3 % of an article page).

Variables: `{{ article.title }}` is looked up the way Django looks it up, but the common cases go
straight to their answer. Django tries `article["title"]` first and, for a model instance,
raises and catches a TypeError before it reads the attribute; then it localizes and escapes the
output through three more calls. A variable (`FastVariable`) answers directly when each step is
a name in the context, a key of a plain dict or an attribute of an object that takes no
subscript, and calls a method on the way as Django would; anything else (a missing name, a list
index, a method that alters data, any error) goes to Django's own lookup from the start, so the
rules for those cases are Django's. A variable's output (`FastVariableNode`) that is a plain
string is escaped at once. Variables change class in place, as `{% extends %}` nodes do: both
classes give the same answers, so a render in progress on another thread is unaffected. Together
8 % of the article page's instructions (docs/benchmarks.md, issue 13).

Outside a debug engine, node lists render their nodes directly (`DirectNodeList`), and an
`{% include %}` of a quoted name finds its template once (`_IncludedTemplate`): 2 % together.

Settings: TEMPLATES' "loaders" (kohoshi/settings.py)."""
import threading
from html import escape

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import NodeList
from django.template.base import FilterExpression, Node, TextNode, Variable, VariableNode, render_value_in_context
from django.template.defaulttags import CommentNode, IfNode, LoadNode
from django.template.loader_tags import (
    BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode, IncludeNode, construct_relative_path,
)
from django.template.loaders import cached
from django.template.smartif import TokenBase
from django.templatetags.i18n import LanguageNode
from django.templatetags.static import StaticNode
from django.utils.safestring import SafeString

from kohoshi.core.reversing import reverse_base
from kohoshi.core.templatetags.kohoshi_i18n import RememberedTranslateNode, ScopedLanguageNode, active_language
from kohoshi.core.templatetags.kohoshi_urls import RememberedURLNode, current_app

_generation = 0  # a setting that a folded node's output may depend on changed (tests)


@receiver(setting_changed)
def _forget(**kwargs):
    global _generation
    _generation += 1


def _literal(expression) -> bool:
    """A FilterExpression of a quoted constant without filters."""
    return not expression.filters and isinstance(expression.var, str)


def _constant(node: Node) -> bool:
    """Does this node's output depend on nothing but the language, the URL configuration and
    script prefix, the settings and autoescaping?"""
    kind = type(node)
    if kind in (TextNode, CommentNode, LoadNode) or getattr(kind, "kohoshi_constant", False):
        return True
    if kind is RememberedTranslateNode:
        return node.constant
    if kind is StaticNode:
        return node.varname is None and _literal(node.path)
    if kind is RememberedURLNode:
        return not node.args and not node.kwargs and node.asvar is None and _literal(node.view_name)
    return False


class FoldedNode(Node):
    """Neighbouring constant nodes, rendered once per (language, autoescape, URL configuration,
    script prefix, current application) and kept."""

    child_nodelists = ()

    def __init__(self, nodes: list[Node]):
        self.nodes = NodeList(nodes)
        self.token = nodes[0].token
        self.origin = nodes[0].origin
        self.memo = {}
        self.names_urls = any(type(node) is RememberedURLNode for node in nodes)

    def __repr__(self):
        return f"<FoldedNode: {len(self.nodes)} nodes>"

    def render(self, context):
        key = (_generation, active_language(context), context.autoescape)
        if self.names_urls:
            request = getattr(context, "request", None)
            key += (*reverse_base(request), current_app(request))
        try:
            return self.memo[key]
        except KeyError:
            self.memo[key] = text = SafeString("".join(node.render_annotated(context) for node in self.nodes))
            return text


class RememberedExtendsNode(ExtendsNode):
    """`{% extends %}` that finds the parent's blocks once per parent template."""

    def render(self, context):
        parent = self.get_parent(context)
        blocks = parent.__dict__.get("_kohoshi_blocks")
        if blocks is None:
            blocks = parent._kohoshi_blocks = self._root_blocks(parent)
        block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
        if block_context is None:
            block_context = context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context.add_blocks(self.blocks)
        if blocks:
            block_context.add_blocks(blocks)
        with context.render_context.push_state(parent, isolated_context=False):
            return parent._render(context)

    @staticmethod
    def _root_blocks(parent) -> dict:
        """The parent's blocks if it extends nothing itself, as ExtendsNode.render finds them."""
        for node in parent.nodelist:
            if not isinstance(node, TextNode):
                if isinstance(node, ExtendsNode):
                    return {}
                return {n.name: n for n in parent.nodelist.get_nodes_by_type(BlockNode)}
        return {}


class _ForDjango(Exception):
    """A case that FastVariable leaves to Django's lookup."""


def _called(value):
    """What Django's lookup makes of a callable it meets: kept if marked `do_not_call_in_templates`,
    called without arguments otherwise. One that `alters_data` is Django's to refuse."""
    if getattr(value, "do_not_call_in_templates", False):
        return value
    if getattr(value, "alters_data", False):
        raise _ForDjango
    return value()


class FastVariable(Variable):
    """A variable (not a literal, not `_("…")`) that resolves the common cases directly and leaves
    every other case, and any error, to Django's lookup, which then starts again from the context
    (so a property or method that raised is asked again, and fails as Django makes it fail)."""

    __slots__ = ()

    def resolve(self, context):
        if self.translate:  # {% translate variable %} sets it when it renders
            return super().resolve(context)
        lookups = self.lookups
        try:
            current = context[lookups[0]]
            if callable(current):
                current = _called(current)
            for bit in lookups[1:]:
                kind = type(current)
                if kind is dict:
                    current = current[bit]  # (a missing key: Django tries an attribute, then an index)
                elif hasattr(kind, "__getitem__"):  # Django tries a subscript first
                    raise _ForDjango
                else:
                    current = getattr(current, bit)
                if callable(current):
                    current = _called(current)
        except Exception:
            return super().resolve(context)
        return current


class FastVariableNode(VariableNode):
    """`{{ … }}` whose plain-string value is escaped at once; other values as Django renders them."""

    def render(self, context):
        try:
            output = self.filter_expression.resolve(context)
        except UnicodeDecodeError:
            return ""  # as VariableNode.render
        kind = type(output)
        if kind is str:  # localize() and template_localtime() give a str back as it is
            return escape(output) if context.autoescape else output
        if kind is SafeString:
            return output
        return render_value_in_context(output, context)


class _IncludedTemplate:
    """Stands for an `{% include "…" %}`'s quoted name: resolves to the template itself, found once.
    IncludeNode renders a template it is given as it is; given a name, it looked the template up
    through the engine's loaders on every render (the cached loader's memo, but 2 % of an article
    page for its two includes). The include node belongs to a template kept by the same cached
    loader, so the two are forgotten together when the loader is reset."""

    def __init__(self, name: str, origin):
        self.name = construct_relative_path(origin.template_name, name)
        self.template = None

    def resolve(self, context):
        template = self.template
        if template is None:
            template = self.template = context.template.engine.get_template(self.name)
        return template


def _speed_up_variables(value, depth: int = 0) -> None:
    """Make the plain variables in a node's expressions FastVariables: in filter expressions, their
    filters' arguments, `{% if %}` conditions, and lists and dicts of them (`{% with %}`,
    `{% url %}`, `{% include … with %}`, `{% blocktranslate with %}`)."""
    if depth > 6:
        return
    if isinstance(value, FilterExpression):
        variables = [value.var, *(arg for _, args in value.filters for lookup, arg in args if lookup)]
        for variable in variables:
            if type(variable) is Variable and variable.lookups is not None:
                variable.__class__ = FastVariable
    elif isinstance(value, (list, tuple)):
        for item in value:
            _speed_up_variables(item, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            _speed_up_variables(item, depth + 1)
    elif isinstance(value, TokenBase):  # an {% if %} condition: a literal or an operator
        for attr in ("value", "first", "second"):
            _speed_up_variables(getattr(value, attr, None), depth + 1)


class DirectNodeList(NodeList):
    """A NodeList that renders each node directly. NodeList.render calls each node's
    `render_annotated`, which, but for adding the template's source to an error raised in a debug
    engine, is `render`: one call less for each of a page's nodes (140 on the article page)."""

    def render(self, context):
        return SafeString("".join([node.render(context) for node in self]))


def fold(nodelist: NodeList, debug: bool = True) -> NodeList:
    """A new NodeList with runs of constant nodes folded, the children folded likewise. The old
    lists are never changed, so a render in progress on another thread goes on as it began.
    Outside a debug engine the new lists are DirectNodeLists."""
    folded, run = (NodeList() if debug else DirectNodeList()), []

    def end_run():
        if len(run) > 1 and any(type(node) is not TextNode for node in run):
            folded.append(FoldedNode(run))
        else:
            folded.extend(run)
        run.clear()

    for node in nodelist:
        if _constant(node):
            run.append(node)
            continue
        end_run()
        _fold_children(node, debug)
        folded.append(node)
    end_run()
    folded.contains_nontext = any(not isinstance(node, TextNode) for node in folded)
    return folded


def _fold_children(node: Node, debug: bool) -> None:
    if type(node) is VariableNode:
        node.__class__ = FastVariableNode
    for value in vars(node).values():  # (a node list is a list of nodes: nothing to change there)
        _speed_up_variables(value)
    if type(node) is ExtendsNode:
        node.__class__ = RememberedExtendsNode
    elif type(node) is IncludeNode and not debug and _literal(node.template):
        node.template = _IncludedTemplate(node.template.var, node.origin)
    elif type(node) is LanguageNode:  # Django's own (`{% load i18n %}`): the language it sets is read anew
        node.__class__ = ScopedLanguageNode
    if isinstance(node, IfNode):
        node.conditions_nodelists = [
            (condition, fold(nodelist, debug)) for condition, nodelist in node.conditions_nodelists]
        return
    for attr in node.child_nodelists:
        nodelist = getattr(node, attr, None)
        if isinstance(nodelist, NodeList):
            setattr(node, attr, fold(nodelist, debug))


class Loader(cached.Loader):
    _lock = threading.Lock()

    def get_template(self, template_name, skip=None):
        template = super().get_template(template_name, skip)
        if not template.__dict__.get("_kohoshi_folded"):
            with self._lock:
                if not template.__dict__.get("_kohoshi_folded"):
                    template.nodelist = fold(template.nodelist, self.engine.debug)
                    template._kohoshi_folded = True
        return template
