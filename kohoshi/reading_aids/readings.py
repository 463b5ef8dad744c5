"""Readings (hiragana) of the words of a Japanese text: pure functions, no database.

`words(text, names=...)` splits a text into (surface, reading) pairs, reading None for words
without kanji. Three analysers are kept because bench/reading_aids/furigana_bench.py measures
them side by side (docs/benchmarks.md, issue 15):

- "sudachi":  SudachiPy (SplitMode.C, sudachidict-core) words and their `reading_form`;
- "openjtalk": pyopenjtalk-plus's NJD readings (its corrected readings), aligned back onto the
  original characters;
- "combined": Sudachi's words, read by pyopenjtalk-plus where its words line up with Sudachi's,
  otherwise by Sudachi. The default: see the benchmark.

A municipality's name readings (苫小牧 → とまこまい) win over every analyser.
"""
import contextlib
import functools
import re
import sys
import threading
import unicodedata

KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]")
_KANA = re.compile(r"^[\u3041-\u309f\u30a1-\u30ffー]+$")
DEFAULT_ANALYSER = "combined"

_local = threading.local()
_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def has_kanji(text: str) -> bool:
    return bool(KANJI.search(text))


def to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def is_kana(text: str) -> bool:
    return bool(_KANA.match(text))


@functools.lru_cache(maxsize=1)
def _dictionary():
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def _tokenizer():
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        tok = _local.tokenizer = _dictionary().tokenizer()
    return tok


def _sudachi_tokens(text: str):
    from sudachipy import SplitMode

    tok = _tokenizer()
    out = []
    # Sudachi refuses inputs over ~49 KB; articles are far smaller, but split on lines anyway.
    offset = 0
    for line in text.splitlines(keepends=True):
        for m in tok.tokenize(line, SplitMode.C):
            reading = m.reading_form()
            reading = to_hiragana(reading) if reading else ""
            # Proper nouns keep Sudachi's reading in "combined" (its dictionary knows 町 as ちょう
            # in 愛川町, pyopenjtalk-plus says まち): marked with "!".
            out.append((offset + m.begin(), offset + m.end(), m.surface(),
                        ("!" + reading) if m.part_of_speech()[1] == "固有名詞" and reading else reading))
        offset += len(line)
    return out


@functools.cache
def openjtalk():
    """pyopenjtalk, imported once. Without ONNX Runtime it prints a warning on stdout when it is
    imported; that goes to stderr, so commands whose stdout is JSON (import_csv) stay readable."""
    with contextlib.redirect_stdout(sys.stderr):
        import pyopenjtalk
    return pyopenjtalk


def _openjtalk_spans(text: str) -> list[tuple[int, int, str]]:
    """pyopenjtalk-plus's readings of the kanji words of `text`, as (begin, end, hiragana)
    spans of the original text (its own text is normalised: digits become 六, so only words with
    kanji are found back)."""
    pyopenjtalk = openjtalk()

    spans = []
    for line_start, line in _lines(text):
        if not has_kanji(line):
            continue
        cursor = 0
        wide = line.translate(_FULLWIDTH)  # pyopenjtalk widens ASCII (4月 → ４月), one for one
        for feature in pyopenjtalk.run_frontend(line):
            s = feature["string"]
            if not has_kanji(s):
                continue
            at = wide.find(s, cursor)
            if at < 0:
                continue
            spans.append((line_start + at, line_start + at + len(s), to_hiragana(feature["read"])))
            cursor = at + len(s)
    return spans


def _lines(text: str):
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line
        offset += len(line)


def _valid(surface: str, reading: str) -> bool:
    return bool(reading) and is_kana(reading) and reading != surface


def analyse(text: str, analyser: str = DEFAULT_ANALYSER) -> list[tuple[str, str | None]]:
    """(surface, reading or None) covering `text` exactly, without the name dictionary."""
    if not has_kanji(text):
        return [(text, None)] if text else []
    if analyser == "openjtalk":
        pieces, cursor = [], 0
        for begin, end, reading in _openjtalk_spans(text):
            if begin > cursor:
                pieces.append((text[cursor:begin], None))
            pieces.append((text[begin:end], reading or None))
            cursor = end
        if cursor < len(text):
            pieces.append((text[cursor:], None))
        return pieces
    tokens = _sudachi_tokens(text)
    spans = []
    if analyser == "combined":
        spans = _openjtalk_spans(text)
        tokens = _merge_numbers(text, tokens)
    pieces = []
    j = 0
    for begin, end, surface, reading in tokens:
        proper = reading.startswith("!")
        reading = reading.lstrip("!")
        if not has_kanji(surface):
            pieces.append((surface, None))
            continue
        if reading.startswith("#"):  # a number with its counter, read by pyopenjtalk-plus
            pieces.append((surface, reading[1:] or None))
            continue
        if not reading and analyser == "combined":  # a part of a date token: read on its own
            pieces.extend(analyse(surface, "sudachi"))
            continue
        if _MIXED.search(surface):  # 体験(モルック): read the kanji runs alone
            for part in _MIXED_RUNS.findall(surface):
                if has_kanji(part) and part != surface:
                    pieces.extend(analyse(part, analyser))
                else:
                    pieces.append((part, None))
            continue
        if spans and not proper:
            while j < len(spans) and spans[j][1] <= begin:
                j += 1
            inside = []
            k = j
            while k < len(spans) and spans[k][0] < end:
                inside.append(spans[k])
                k += 1
            aligned = _aligned_reading(text, begin, end, inside)
            if aligned:
                reading = aligned
        pieces.append((surface, reading if _valid(surface, reading) else None))
    return pieces


_MIXED = re.compile(r"[^\u3041-\u309f\u30a1-\u30ffー\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ0-9０-９]")
_MIXED_RUNS = re.compile(r"[\u3041-\u309f\u30a1-\u30ffー\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+|[^\u3041-\u309f\u30a1-\u30ffー\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+")
_DIGITS = re.compile(r"[0-9０-９,，]*[0-9０-９]$")
# pyopenjtalk-plus reads 30分 as さんじゅうふん: the sound change it leaves out.
_FUN = [(re.compile(r"(いち|ろく|はち|じゅう|ひゃく)ふん$"), {"いち": "いっぷん", "ろく": "ろっぷん", "はち": "はっぷん", "じゅう": "じゅっぷん", "ひゃく": "ひゃっぷん"}),
        (re.compile(r"(さん|よん)ふん$"), {"さん": "さんぷん", "よん": "よんぷん"})]


def _spelled(read: str, pron: str) -> str:
    """The pronunciation (with its sound changes: イッサツ, サンビャク) spelt as kana are written:
    its long-vowel marks back to the vowels of `read` (ジュー → ジュウ)."""
    pron = pron.replace("’", "")
    if len(pron) != len(read):
        return read
    return "".join(r if p == "ー" and r != "ー" else p for r, p in zip(read, pron))


def _number_reading(text: str) -> str:
    pyopenjtalk = openjtalk()

    reading = to_hiragana("".join(_spelled(f["read"], f["pron"]) for f in pyopenjtalk.run_frontend(text)))
    reading = reading.replace("とうか", "とおか")
    for pattern, table in _FUN:
        reading = pattern.sub(lambda m: table[m.group(1)], reading)
    return reading if is_kana(reading) else ""


_NUMBER = re.compile(r"[0-9０-９][0-9０-９,，]*([万億千][0-9０-９,，]*)*")
_COUNTED = re.compile(r"([0-9０-９][0-9０-９,，]*(?:[万億千][0-9０-９,，]*)*)([\u3400-\u4dbf\u4e00-\u9fff々ヶカか]{1,3})")


_COUNTED_OR_TEXT = re.compile(
    r"([0-9０-９][0-9０-９,，]*(?:[万億千][0-9０-９,，]*)*[\u3400-\u4dbf\u4e00-\u9fff々ヶカか]{0,3})|([^0-9０-９]+)"
)


def _merge_numbers(text, tokens):
    """Join a number to the counter after it (10日, 30分, 1人, 7万500円) and read them together
    with pyopenjtalk-plus: 10日 is とおか, not 10 + にち; 10万 is じゅうまん."""
    out = []  # [begin, end, surface, reading, is_bare_number]
    for begin, end, surface, reading in tokens:
        prev = out[-1] if out else None
        if prev and prev[4] and _NUMBER.fullmatch(prev[2] + surface):
            prev[1], prev[2] = end, prev[2] + surface
            continue
        if prev and prev[4] and has_kanji(surface) and len(surface) <= 2 and not _MIXED.search(surface):
            after_month = len(out) > 1 and out[-2][2].endswith("月")
            prev[1], prev[2], prev[4] = end, prev[2] + surface, False
            prev[3] = "#" + ("ついたち" if after_month and prev[2] in ("1日", "１日") else _number_reading(prev[2]))
            continue
        if _NUMBER.fullmatch(surface):
            out.append([begin, end, surface, "", True])
            continue
        if surface in ("1日", "１日") and prev and prev[2].endswith("月"):
            out.append([begin, end, surface, "#ついたち", False])
            continue
        if _COUNTED.fullmatch(surface):
            out.append([begin, end, surface, "#" + _number_reading(surface), False])
            continue
        if has_kanji(surface) and re.search(r"[0-9０-９]", surface) and not _MIXED.search(surface):
            # One token for a whole date (5月11日): each number with its counter, read apart.
            at = begin
            for m in _COUNTED_OR_TEXT.finditer(surface):
                part = m.group()
                if m.group(1):
                    out.append([at, at + len(part), part, "#" + _number_reading(part), False])
                else:
                    out.append([at, at + len(part), part, "", False])  # read by the analyser below
                at += len(part)
            continue
        out.append([begin, end, surface, reading, False])
    for item in out:  # a bare number that gathered 万 or 億 needs its reading too
        if item[4] and has_kanji(item[2]):
            item[3] = "#" + _number_reading(item[2])
    return [tuple(item[:4]) for item in out]


def _aligned_reading(text, begin, end, spans) -> str | None:
    """The token's reading from pyopenjtalk spans lying wholly inside it, kana in between kept;
    None if a span crosses the token's edges or a kanji is left unread."""
    out, cursor = [], begin
    for b, e, reading in spans:
        if b < begin or e > end or not reading:
            return None
        gap = text[cursor:b]
        if has_kanji(gap) or (gap and not is_kana(gap)):
            return None
        out.append(to_hiragana(gap))
        out.append(reading)
        cursor = e
    tail = text[cursor:end]
    if has_kanji(tail) or (tail and not is_kana(tail)):
        return None
    out.append(to_hiragana(tail))
    result = "".join(out)
    return result or None


@functools.lru_cache(maxsize=256)
def _names_pattern(names: tuple[tuple[str, str], ...]):
    if not names:
        return None
    surfaces = sorted((s for s, _ in names), key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in surfaces))


def words(text: str, *, names: dict[str, str] | None = None, analyser: str = DEFAULT_ANALYSER):
    """(surface, reading or None) pairs covering `text`; the municipality's `names` win."""
    text = unicodedata.normalize("NFC", text)
    names = names or {}
    pattern = _names_pattern(tuple(sorted(names.items())))
    if pattern is None:
        return analyse(text, analyser)
    pieces, cursor = [], 0
    for m in pattern.finditer(text):
        if m.start() > cursor:
            pieces.extend(analyse(text[cursor:m.start()], analyser))
        pieces.append((m.group(), names[m.group()]))
        cursor = m.end()
    if cursor < len(text):
        pieces.extend(analyse(text[cursor:], analyser))
    return pieces


def ruby_parts(surface: str, reading: str) -> list[tuple[str, str | None]]:
    """Split a word into kanji runs with their readings and kana without: 申し込み/もうしこみ →
    申/もう, し, 込/こ, み. When the kana of the word cannot be found in its reading, the whole
    word carries the whole reading."""
    digits = re.match(r"[0-9０-９][0-9０-９,，]*", surface)
    if digits and digits.end() < len(surface):
        # 11日 → 11 + 日(にち): the number needs no ruby, the counter keeps its part of the reading.
        alone = _number_reading(digits.group())
        rest = surface[digits.end():]
        if alone and reading.startswith(alone) and len(reading) > len(alone) and not re.search(r"[0-9０-９]", rest):
            return [(digits.group(), None)] + ruby_parts(rest, reading[len(alone):])
    runs = re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+", surface)
    if len(runs) == 1:
        return [(surface, reading)]
    pattern = "".join("(.+?)" if has_kanji(r) else f"({re.escape(to_hiragana(r))})" for r in runs)
    m = re.fullmatch(pattern, to_hiragana(reading))
    if not m:
        return [(surface, reading)]
    return [(r, g if has_kanji(r) else None) for r, g in zip(runs, m.groups())]
