"""Japanese text → index tokens, with SudachiPy. Used for documents and queries alike.

The index holds one token per Sudachi *mode A* morpheme (the shortest units), in text order:
子育て支援医療費助成制度 → 子育て 支援 医療 費 助成 制度. A word is searched as the phrase of its
own mode A tokens, so the compound and each of its parts are found, and a 1-character word
(市, 費) is an ordinary token. Each token is Sudachi's normalised form (子ども/こども → 子供,
ＰＲＩＤＥ/PRIDE → プライド), then NFKC, case-folded, and katakana folded to hiragana (ゴミ = ごみ),
split into runs of letters and digits. See docs/search.md.
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
    """The space-separated token stream stored in the index."""
    return " ".join(index_tokens(text))


@functools.cache
def _skip_pos_ids() -> frozenset[int]:
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
        if pos[0] in _SKIP_POS:
            ids.add(pos_id)
        pos_id += 1
    return frozenset(ids)


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
