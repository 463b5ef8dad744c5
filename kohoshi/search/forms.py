import html
from datetime import date

from django import forms
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from kohoshi.newsletters.models import Category, Newsletter
from kohoshi.places.models import Municipality, Prefecture, municipality_full_name

from .services import SearchFilters


# Publication dates a search may name. Beyond them the index's date arithmetic overflows
# (9999-12-31 + 1 day), and no newsletter was published there anyway.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
_DATE_BOUNDS_MESSAGE = _("1900年1月1日から2100年12月31日までの日付を入れてください。")


def _date_field(label):
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date", "min": DATE_MIN, "max": DATE_MAX}),
        validators=[
            MinValueValidator(DATE_MIN, message=_DATE_BOUNDS_MESSAGE),
            MaxValueValidator(DATE_MAX, message=_DATE_BOUNDS_MESSAGE),
        ],
    )


class PlainSelect(forms.Select):
    """A select whose options are written directly. Django's Select renders every option through
    a template: the search page's filters have some 170 options (47 prefectures, the towns and
    newsletters, the categories), which took about 40 % of the page's rendering. Same HTML."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        chosen = False
        options = []
        for choice, label in self.choices:
            choice = "" if choice is None else str(choice)
            mark = choice in selected and not chosen
            chosen = chosen or mark
            # the standard library's escape: what django.utils.html.escape does, without its lazy
            # wrapper (two calls per option, some 340 a page)
            options.append(f'<option value="{html.escape(choice)}"{" selected" if mark else ""}>{html.escape(str(label))}</option>')
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),
        )


# The filters' options (every prefecture, town with a newsletter, newsletter and category) are
# the same on every search: kept in the cache this long instead of four queries per search. A
# newsletter or town added shows up in the filters at most this late (validation always asks the
# database, so choosing it by URL works at once).
OPTIONS_CACHE_SECONDS = 60


class _RowChoices(ModelChoiceIterator):
    """The options from one values_list query: no model instance per option (the search page
    lists every prefecture, town, newsletter and category on each request)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.rows()


class RowChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options are labelled from `label_fields` by `row_label` (which
    must give what the model's __str__ gives); validation still looks the value up by model.
    The (value, label) rows are cached under `cache_key` for OPTIONS_CACHE_SECONDS."""

    iterator = _RowChoices

    def __init__(self, *, label_fields, cache_key, row_label=str, **kwargs):
        super().__init__(**kwargs)
        self.label_fields, self.row_label = tuple(label_fields), row_label
        self.cache_key = f"kohoshi:search-options:{cache_key}"

    def rows(self) -> list[tuple]:
        rows = cache.get(self.cache_key)
        if rows is None:
            key = self.to_field_name or "pk"
            rows = [(value, self.row_label(*row)) for value, *row in self.queryset.values_list(key, *self.label_fields)]
            cache.set(self.cache_key, rows, OPTIONS_CACHE_SECONDS)
        return rows


class SearchForm(forms.Form):
    q = forms.CharField(label=_("検索語"), max_length=200, required=False)
    pref = RowChoiceField(
        label=_("都道府県"), queryset=Prefecture.objects.all(), required=False, empty_label=_("すべて"),
        to_field_name="code", widget=PlainSelect, label_fields=["name"], cache_key="pref",
    )
    muni = RowChoiceField(
        label=_("自治体"), queryset=Municipality.objects.filter(newsletters__isnull=False).distinct()
        .select_related("prefecture").order_by("code"),
        required=False, empty_label=_("すべて"), to_field_name="code", widget=PlainSelect,
        label_fields=["prefecture__name", "name", "kind"], row_label=municipality_full_name, cache_key="muni",
    )
    nl = RowChoiceField(
        label=_("広報紙"), queryset=Newsletter.objects.select_related("municipality").order_by("municipality", "pk"),
        required=False, empty_label=_("すべて"), widget=PlainSelect, label_fields=["title"], cache_key="nl",
    )
    cat = RowChoiceField(
        label=_("カテゴリ"), queryset=Category.objects.all(), required=False, empty_label=_("すべて"),
        to_field_name="slug", widget=PlainSelect, label_fields=["name"], cache_key="cat",
    )
    since = _date_field(_("発行日(から)"))
    until = _date_field(_("発行日(まで)"))
    order = forms.ChoiceField(
        label=_("並び順"), choices=[("relevance", _("関連度順")), ("newest", _("新しい順"))], required=False,
        widget=PlainSelect,
    )
    page = forms.IntegerField(min_value=1, required=False)

    def filters(self) -> SearchFilters:
        d = self.cleaned_data
        return SearchFilters(
            prefecture=d["pref"].code if d.get("pref") else None,
            municipality=d["muni"].code if d.get("muni") else None,
            newsletter=d["nl"].pk if d.get("nl") else None,
            category=d["cat"].slug if d.get("cat") else None,
            date_from=d.get("since"),
            date_to=d.get("until"),
        )
