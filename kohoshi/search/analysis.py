"""Japanese text → index tokens, with SudachiPy. Used for documents and queries alike.

The index holds one token per Sudachi *mode A* morpheme (the shortest units), in text order:
子育て支援医療費助成制度 → 子育て 支援 医療 費 助成 制度. A word is searched as the phrase of its
own mode A tokens, so the compound and each of its parts are found, and a 1-character word
(市, 費) is an ordinary token. Each token is Sudachi's normalised form (子ども/こども → 子供,
ＰＲＩＤＥ/PRIDE → プライド), then NFKC, case-folded, and katakana folded to hiragana (ゴミ = ごみ),
split into runs of letters and digits. See docs/search.md.

After a document's tokens come its *extra* tokens (extra_tokens), each marked so it never equals
a token: the parts of its words (PART_MARK: 生ごみ → ごみ, 市民 → 市) and their readings in hiragana
(READING_MARK: 子育て → こそだて; 図書 館 → としょかん, two neighbouring words read together). An
unquoted query word also matches the parts, ranked after exact matches; a word typed in kana
also matches the readings (see query.Term and search/ranking.py).
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass

from sudachipy import Dictionary, SplitMode

# Sudachi refuses input over 49,149 bytes; stay well under it.
CHUNK_BYTES = 48 * 1000
_SKIP_POS = {"補助記号", "空白"}
# Dropped from unquoted queries only: "平和の鐘" without quotes means 平和 AND 鐘.
_FUNCTION_POS = {"助詞", "助動詞"}
_WORD = re.compile(r"[^\W_]+")
_KATAKANA = str.maketrans({chr(c): chr(c - 0x60) for c in range(ord("ァ"), ord("ヶ") + 1)})
# Mark the extra tokens: characters NFKC folds away (half-width ｰ → ー, ﾟ → ゚), so fold() never
# yields them, and both FTS5 (any non-ASCII character) and PostgreSQL's parser keep them inside
# the word.
PART_MARK = "\uff70"
READING_MARK = "\uff9f"
# Parts are taken from words of at most this many characters (longer ones are rare and costly).
PART_MAX_CHARS = 10
_ASCII_OR_DIGITS = re.compile(r"[0-9a-z]+")
_KANA_WORD = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]+")  # hiragana, katakana, ー

_local = threading.local()


@functools.cache
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def _tokenizer(mode):
    # Sudachi tokenizers are not thread-safe; one per thread and mode.
    key = f"tok_{mode}"
    tok = getattr(_local, key, None)
    if tok is None:
        tok = _dictionary().tokenizer(mode=mode)
        setattr(_local, key, tok)
    return tok


@functools.lru_cache(maxsize=1 << 16)
def fold(form: str) -> tuple[str, ...]:
    """One normalised form → its index tokens (usually one). Cached: the same forms recur all the time."""
    return tuple(_WORD.findall(unicodedata.normalize("NFKC", form).casefold().translate(_KATAKANA)))


def hiragana(text: str) -> str:
    """Katakana as hiragana, character for character (the same length, so offsets still hold):
    how fold() spells kana, for finding a token's spelling in a text without tokenising it."""
    return text.translate(_KATAKANA)


def chunks(text: str):
    """(offset, piece) pieces of text, each under CHUNK_BYTES in UTF-8, cut at line ends if possible."""
    start = 0
    n = len(text)
    while start < n:
        # 3 bytes per character at most for Japanese; 4 for rare planes.
        end = min(n, start + CHUNK_BYTES // 4)
        if end < n:
            cut = text.rfind("\n", start, end)
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


def tokens_with_offsets(text: str) -> list[Token]:
    """Index tokens of text with the character span of the morpheme each came from."""
    tok = _tokenizer(SplitMode.A)
    skip = _skip_pos_ids()
    out: list[Token] = []
    for offset, piece in chunks(text):
        for m in tok.tokenize(piece):
            # The POS id, not part_of_speech(): no tuple of strings per morpheme (snippets run this per hit).
            if m.part_of_speech_id() in skip:
                continue
            for t in fold(m.normalized_form()):
                out.append(Token(t, offset + m.begin(), offset + m.end()))
    return out


def index_tokens(text: str) -> list[str]:
    tok = _tokenizer(SplitMode.A)
    skip = _skip_pos_ids()
    out: list[str] = []
    for _, piece in chunks(text):
        for m in tok.tokenize(piece):
            if m.part_of_speech_id() not in skip:
                out.extend(fold(m.normalized_form()))
    return out


def index_text(text: str) -> str:
    """The space-separated token stream stored in the index: the tokens, then the extra tokens."""
    return " ".join(_analyse(text))


def part_lexeme(text: str) -> str:
    return PART_MARK + text


def reading_lexeme(text: str) -> str:
    return READING_MARK + text


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch == "々"


_lookup_lock = threading.Lock()


@functools.lru_cache(maxsize=1 << 16)
def _is_word(text: str) -> bool:
    # One lookup at a time: the dictionary is shared by the threads (tokenizers are per thread).
    with _lookup_lock:
        return len(_dictionary().lookup(text)) > 0


def _parts(word: str) -> list[str]:
    """The pieces of a word a reader may search for: its substrings that are words of the
    dictionary (ごみ in 生ごみ; not 生ご), and single kanji (市 in 市民), not the word itself.
    None for numbers and ASCII words. Only dictionary words: every substring would make the
    index four times larger, mostly with pieces nobody types."""
    n = len(word)
    if n < 2 or n > PART_MAX_CHARS or _ASCII_OR_DIGITS.fullmatch(word):
        return []
    out = [word[i:j] for i in range(n) for j in range(i + 2, n + 1) if j - i < n and _is_word(word[i:j])]
    out += [ch for ch in word if _is_kanji(ch)]
    return out


@functools.lru_cache(maxsize=1 << 16)
def _extras_of(normalized: str, surface: str, reading: str) -> tuple[str, ...]:
    """A morpheme's extra tokens: the parts of its normalised and written forms, and its reading
    unless that is the token itself. Cached: the same morphemes recur all the time."""
    tokens = fold(normalized)
    out = []
    for word in {*tokens, *fold(surface)}:
        out += [part_lexeme(p) for p in _parts(word)]
    out += [reading_lexeme(r) for r in fold(reading) if r not in tokens]
    return tuple(out)


def _analyse(text: str) -> list[str]:
    """The tokens of text, then its extra tokens (each once, marked)."""
    tok = _tokenizer(SplitMode.A)
    skip = _skip_pos_ids()
    function = _function_pos_ids()
    compound = _compound_pos_ids()
    tokens: list[str] = []
    extras: dict[str, None] = {}
    for _, piece in chunks(text):
        previous, previous_pos = "", -1
        for m in tok.tokenize(piece):
            pos_id = m.part_of_speech_id()
            if pos_id in skip:
                previous = ""
                continue
            tokens.extend(fold(m.normalized_form()))
            if pos_id in function:
                previous = ""
                continue
            reading = "".join(fold(m.reading_form()))
            extras.update(dict.fromkeys(_extras_of(m.normalized_form(), m.surface(), reading)))
            if previous and reading and (pos_id in compound or previous_pos in compound):
                # Two neighbouring pieces of a compound read together: 図書 館 is found by としょかん.
                extras[reading_lexeme(previous + reading)] = None
            previous, previous_pos = reading, pos_id
    return tokens + list(extras)


def extra_tokens(text: str) -> list[str]:
    """Only the extra tokens of text (for tests and measurements)."""
    return [t for t in _analyse(text) if t[0] in (PART_MARK, READING_MARK)]


def kana_reading(word: str) -> str | None:
    """A query word written only in kana, as the reading it is looked up by (hiragana), else None."""
    folded = unicodedata.normalize("NFKC", word).translate(_KATAKANA)
    return folded if _KANA_WORD.fullmatch(folded) else None


@functools.cache
def _pos_ids(kinds: frozenset[str]) -> frozenset[int]:
    dictionary = _dictionary()
    ids = set()
    pos_id = 0
    while True:
        try:
            pos = dictionary.pos_of(pos_id)
        except (IndexError, ValueError, OverflowError):
            break
        if pos is None:
            break
        if pos[0] in kinds:
            ids.add(pos_id)
        pos_id += 1
    return frozenset(ids)


def _skip_pos_ids() -> frozenset[int]:
    return _pos_ids(frozenset(_SKIP_POS))


def _function_pos_ids() -> frozenset[int]:
    return _pos_ids(frozenset(_FUNCTION_POS))


def _compound_pos_ids() -> frozenset[int]:
    """Prefixes and suffixes: read together with their neighbour (図書 + 館 → としょかん)."""
    return _pos_ids(frozenset({"接頭辞", "接尾辞"}))


def word_phrases(word: str) -> list[list[str]]:
    """An unquoted query word → the phrases that must all occur.

    Mode C finds the word's largest units; each unit is looked for as the phrase of the mode A
    tokens inside it: 子ども医療費 → [子供], [医療, 費]. Particles and auxiliaries are dropped unless
    nothing else is left. (Morpheme.split is avoided: it panics in this SudachiPy release.)
    """
    units = []
    for offset, piece in chunks(word):
        spans = [
            (m.begin(), m.end(), m.part_of_speech()[0])
            for m in _tokenizer(SplitMode.C).tokenize(piece)
        ]
        fine = [(m.begin(), m.part_of_speech_id(), m.normalized_form()) for m in _tokenizer(SplitMode.A).tokenize(piece)]
        skip = _skip_pos_ids()
        for begin, end, pos in spans:
            if pos in _SKIP_POS:
                continue
            parts = [t for b, pid, form in fine if begin <= b < end and pid not in skip for t in fold(form)]
            if parts:
                units.append((pos in _FUNCTION_POS, parts))
    content = [parts for function, parts in units if not function]
    return content or [parts for _, parts in units]


def phrase_tokens(text: str) -> list[str]:
    """A quoted phrase → its tokens in order."""
    return [t.text for t in tokens_with_offsets(text)]
