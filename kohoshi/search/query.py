"""The query language: words are ANDed, "quoted phrases", OR between alternatives, -word excludes.

    子ども 医療費            both words
    "平和の鐘"               the exact phrase
    子育て OR 育児 支援       (子育て or 育児) and 支援
    マイナンバーカード -郵便局  without articles mentioning 郵便局

Parsing gives a backend-neutral `Query`: a conjunction of groups, each group a disjunction of
terms, each term a conjunction of phrases (token lists). Backends turn it into FTS5 MATCH or
tsquery syntax; the snippet code uses its phrases for highlighting.

An unquoted word also matches through the document's extra tokens (analysis): a word typed in
kana matches words read that way (こそだて finds 子育て), and, loosely, a one-token phrase matches
inside a longer word (ごみ in 生ごみ). `Query.exact()` is the query without the loose part;
backends rank its matches first.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from . import analysis

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
_PIECE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_OR = {"OR", "|"}


@dataclass(frozen=True)
class Term:
    """Every phrase must occur, or one of the readings (a word typed in kana); loosely, a
    one-token phrase may also occur inside a longer word."""

    phrases: tuple[tuple[str, ...], ...]
    loose: bool = False
    readings: tuple[str, ...] = ()

    def phrase_alternatives(self, phrase) -> tuple[str, ...]:
        """Extra tokens that also satisfy one phrase of this term: the token inside a longer word."""
        return (analysis.part_lexeme(phrase[0]),) if self.loose and len(phrase) == 1 else ()

    def exact(self) -> Term:
        return Term(self.phrases, readings=self.readings)


@dataclass(frozen=True)
class Query:
    groups: tuple[tuple[Term, ...], ...] = ()  # AND of (OR of terms)
    excluded: tuple[Term, ...] = ()
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def positive_phrases(self) -> list[tuple[str, ...]]:
        return [p for group in self.groups for term in group for p in term.phrases]

    def loose_words(self) -> list[str]:
        """The one-token phrases that may match inside a longer word (for snippets)."""
        return [p[0] for group in self.groups for t in group if t.loose for p in t.phrases if len(p) == 1]

    @property
    def is_loose(self) -> bool:
        """True when some term also matches loosely (so exact matches are ranked first)."""
        return any(t.loose for group in self.groups for t in group)

    def exact(self) -> Query:
        """The query without loose matching (exclusions are always exact)."""
        return Query(tuple(tuple(t.exact() for t in g) for g in self.groups), self.excluded, self.text)


@dataclass
class _Builder:
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    pending_or: bool = False


def normalize_query(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    # “” and 「」 are not quotes for us: only " is. NFKC has turned ＂ into ".
    text = text.replace("“", '"').replace("”", '"')
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def parse(text: str) -> Query:
    text = normalize_query(text)
    b = _Builder()
    count = 0
    for match in _PIECE.finditer(text):
        if count >= MAX_TERMS:
            break
        negative_phrase, phrase, word = match.groups()
        if word is not None and word.upper() in _OR:
            b.pending_or = bool(b.groups)
            continue
        if phrase is not None:
            negative = bool(negative_phrase)
            tokens = tuple(analysis.phrase_tokens(phrase))
            term = Term((tokens,)) if tokens else None
        else:
            negative = word.startswith("-") and len(word) > 1
            body = word[1:] if negative else word
            phrases = tuple(tuple(p) for p in analysis.word_phrases(body))
            reading = analysis.kana_reading(body)
            if negative:
                term = Term(phrases) if phrases else None
            elif phrases:
                term = Term(phrases, loose=True, readings=(analysis.reading_lexeme(reading),) if reading else ())
            else:
                term = None
        if term is None:
            continue
        count += 1
        if negative:
            b.excluded.append(term)
        elif b.pending_or:
            b.groups[-1].append(term)
        else:
            b.groups.append([term])
        b.pending_or = False
    return Query(tuple(tuple(g) for g in b.groups), tuple(b.excluded), text)
