"""The interface's message catalogues (kohoshi/locale/<lang>/LC_MESSAGES/django.po), one per
language of settings.LANGUAGES besides Japanese (the msgids). A translation must pass this:
every entry translated (every plural form), nothing fuzzy, the same placeholders and HTML tags as
the msgid, the header's plural forms right for the language, and the committed .mo (what a fresh
clone runs on) compiled from the .po as it is."""
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import to_locale

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
NPLURALS = {"en": 2, "pt": 2, "zh-hans": 1, "ko": 1, "vi": 1}

# %(name)s, %(n)d, %s, %%: python-format placeholders ({{ n }} in a template is %(n)s here).
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def tags(text: str) -> list[str]:
    return sorted(TAG.findall(text))


def problems_of(po: polib.POFile, nplurals: int) -> list[str]:
    """Everything wrong with a catalogue, one line per entry (empty when it is fine)."""
    problems = []
    if po.metadata_is_fuzzy:
        problems.append("header is fuzzy (msgfmt then ignores Plural-Forms)")
    plural_forms = po.metadata.get("Plural-Forms", "")
    if f"nplurals={nplurals};" not in plural_forms.replace(" ", ""):
        problems.append(f"Plural-Forms {plural_forms!r} is not nplurals={nplurals}")
    for entry in po:
        if entry.obsolete:
            continue
        where = f"{entry.msgid[:40]!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {where}")
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
            extra = sorted(set(entry.msgstr_plural) - set(range(nplurals)))
            if extra:
                problems.append(f"plural forms {extra} beyond nplurals={nplurals}: {where}")
            expected = placeholders(entry.msgid_plural)
        else:
            forms = [entry.msgstr]
            expected = placeholders(entry.msgid)
        for i, form in enumerate(forms):
            if not form.strip():
                problems.append(f"empty msgstr[{i}]: {where}")
                continue
            if placeholders(form) != expected:
                problems.append(f"placeholders {placeholders(form)} ≠ {expected}: {where} → {form!r}")
            if tags(form) != tags(entry.msgid):
                problems.append(f"HTML tags {tags(form)} ≠ {tags(entry.msgid)}: {where}")
    return problems


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalogue_is_complete_and_consistent(code):
    po = polib.pofile(str(LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po"))
    assert len(po) > 400
    problems = problems_of(po, NPLURALS[code])
    assert not problems, f"{code}: {len(problems)} problems\n" + "\n".join(problems[:60])


@pytest.mark.parametrize("code", LANGUAGES)
def test_committed_mo_is_compiled_from_the_po(code):
    """A fresh clone runs on the committed .mo (as en always did): it must hold the .po as it is
    (run `kohoshi compilemessages` after editing a .po)."""
    folder = LOCALE / to_locale(code) / "LC_MESSAGES"
    po = polib.pofile(str(folder / "django.po"))
    mo = polib.mofile(str(folder / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in mo}
    stale = [
        e.msgid[:40]
        for e in po
        if not e.obsolete
        and compiled.get((e.msgctxt, e.msgid)) != (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
    ]
    assert not stale, f"{code}: django.mo is older than django.po for {len(stale)} entries: {stale[:10]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_django_loads_the_catalogue(code):
    with translation.override(code):
        assert translation.gettext("メニュー") != "メニュー"
        assert translation.get_language() == code


def test_the_check_catches_what_a_bad_translation_does():
    po = polib.POFile()
    po.metadata = {"Plural-Forms": "nplurals=1; plural=0;", "Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="「%(title)s」を保存しました。", msgstr="Saved “%(name)s”."))
    po.append(polib.POEntry(msgid="保存", msgstr=""))
    po.append(polib.POEntry(msgid="削除", msgstr="Delete", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="<strong>注意</strong>", msgstr="Note"))
    po.append(polib.POEntry(msgid="%(n)s件", msgid_plural="%(n)s件", msgstr_plural={0: "%(n)s", 1: "%(n)s"}))
    problems = "\n".join(problems_of(po, 1))
    assert "placeholders ['%(name)s'] ≠ ['%(title)s']" in problems
    assert "empty msgstr[0]: '保存'" in problems
    assert "fuzzy: '削除'" in problems
    assert "HTML tags" in problems
    assert "plural forms [1] beyond nplurals=1" in problems
