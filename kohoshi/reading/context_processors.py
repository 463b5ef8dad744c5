from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language

from kohoshi.newsletters.links import site_url


@dataclass(frozen=True)
class ReaderSetting:
    """One reader setting kept in a cookie (no account) and applied on the server, so the page
    is rendered right from the first byte. `name` is the form field on /settings/ and the
    template variable `reader_<name>`."""

    name: str
    cookie: str
    values: tuple[str, ...]
    default: str


# Every reader setting, in one place: /settings/ sets them, templates read them, and anything
# that caches public pages keys them by `reader_choices` (plus the language).
READER_SETTINGS = (
    ReaderSetting("font", "kh_font", ("s", "m", "l", "xl"), "m"),
    ReaderSetting("contrast", "kh_contrast", ("normal", "high"), "normal"),
    ReaderSetting("ruby", "kh_ruby", ("off", "on"), "off"),  # ふりがな (reading_aids)
    # 行間: line height 1.8 / 2.1 / 2.5 of the font size (site.css, docs/reading-aids.md)
    ReaderSetting("spacing", "kh_spacing", ("normal", "wide", "wider"), "normal"),
    # 配色: "auto" follows the device (prefers-color-scheme); light and dark override it
    ReaderSetting("theme", "kh_theme", ("auto", "light", "dark"), "auto"),
)
FONT_SIZES = READER_SETTINGS[0].values


def reader_choices(request) -> dict[str, str]:
    """The reader's settings by name, each one of its allowed values (unknown cookies → default)."""
    choices = {}
    for setting in READER_SETTINGS:
        value = request.COOKIES.get(setting.cookie, setting.default)
        choices[setting.name] = value if value in setting.values else setting.default
    return choices


def bcp47(code: str) -> str:
    """A Django language code as a BCP 47 tag for `lang` attributes: zh-hans → zh-Hans,
    pt-br → pt-BR, ko → ko."""
    language, _, rest = code.partition("-")
    if not rest:
        return language
    return f"{language}-{rest.title() if len(rest) == 4 else rest.upper()}"


def html_lang() -> str:
    """The interface language of this request as a BCP 47 tag (`<html lang>`, the manifest)."""
    return bcp47(get_language() or settings.LANGUAGE_CODE)


# Pages that stay in the light theme whatever the reader chose: the staff workspace (its charts
# and status tags are drawn for a light page).
LIGHT_ONLY_NAMESPACES = ("staff",)


def reader_settings(request):
    context = {f"reader_{name}": value for name, value in reader_choices(request).items()}
    context["reader_theme_fixed"] = False  # (named, so that base.html's test of it is not a failed lookup)
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace in LIGHT_ONLY_NAMESPACES:
        context["reader_theme"] = "light"
        context["reader_theme_fixed"] = True
    context["reader_font_sizes"] = FONT_SIZES
    context["site_url"] = site_url(request)
    context["html_lang"] = html_lang()
    return context
