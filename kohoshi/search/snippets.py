"""Result snippets: a window of the article's plain text with the matched words marked.

Matching is done on Sudachi tokens, the same way the index matches, so こども is marked for a
search for 子ども and ＰＲＩＤＥ for PRIDE. The text is escaped; only <mark> is added.
"""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import analysis

WIDTH = 120
LEAD = 30
# Long bodies are tokenised a piece at a time until a match turns up.
SCAN_CHARS = 4000
# Characters tokenised around a literal occurrence.
REGION = 600
# Characters tokenised either side of the chosen window, so its edge words are cut as in the text.
EDGE = 20
# Occurrences considered as the start of the window.
MAX_WINDOWS = 64


def _spans(text: str, phrases, offset: int = 0) -> list[tuple[int, int, int]]:
    """(start, end, which phrase) of every occurrence."""
    tokens = analysis.tokens_with_offsets(text)
    words = [t.text for t in tokens]
    spans = []
    for k, phrase in enumerate(phrases):
        n = len(phrase)
        if not n:
            continue
        first = phrase[0]
        for i, word in enumerate(words):
            if word == first and tuple(words[i : i + n]) == tuple(phrase):
                spans.append((offset + tokens[i].start, offset + tokens[i + n - 1].end, k))
    return spans


def _merge(spans):
    merged: list[list[int]] = []
    for start, end, _ in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _literal_phrases(text: str, phrases) -> list[tuple[int, int, int]]:
    """Where each phrase occurs spelled as its tokens (医療費 for 医療 費; マイナンバーカード for
    まいなんばー かーど): found without the tokenizer, so only a candidate."""
    return _literal_spans(analysis.hiragana(text), ["".join(phrase) for phrase in phrases])


def _best_window(spans, width: int) -> int:
    """The window with the most different query words, then the most matches, starting a little
    before one of them (one of the first MAX_WINDOWS: a one-letter word may occur thousands of
    times in a long article)."""
    spans = sorted(spans)[:MAX_WINDOWS]
    best, window_start = (-1, -1), 0
    for s, _, _ in spans:
        begin = max(0, s - LEAD)
        inside = [k for a, b, k in spans if a >= begin and b <= begin + width]
        score = (len(set(inside)), len(inside))
        if score > best:
            best, window_start = score, begin
    return window_start


def _literal_spans(text: str, words) -> list[tuple[int, int, int]]:
    """Where words occur as written, inside longer words too (ごみ in 生ごみ: a loose match)."""
    spans = []
    for k, word in enumerate(words):
        start = text.find(word) if word else -1
        while start >= 0:
            spans.append((start, start + len(word), k))
            start = text.find(word, start + len(word))
    return spans


def snippet_html(text: str, phrases, *, parts=(), width: int = WIDTH) -> SafeString:
    """`parts`: words that matched loosely, marked as written where no phrase is found."""
    text = " ".join(text.split())
    spans: list[tuple[int, int, int]] = []
    # Usually a phrase is written as its tokens: choose the window from where the phrases occur
    # as written and tokenise only that window (a snippet is made for every hit on the page, and
    # the tokenizer was most of a search page's Python time). If the tokens do not confirm a
    # match there, or another spelling matched (こども for 子供, katakana), scan as below.
    literals = _literal_phrases(text, phrases)
    window_start = None
    if literals:
        begin = _best_window(literals, width)
        start = max(0, begin - EDGE)
        spans = _spans(text[start : begin + width + EDGE], phrases, start)
        if spans:
            window_start = begin
    if not spans and literals:
        first = min(a for a, _, _ in literals)
        start = max(0, first - REGION // 2)
        spans = _spans(text[start : first + REGION], phrases, start)
    if not spans:
        for start in range(0, len(text), SCAN_CHARS):
            # Cut at a boundary the tokenizer would not join across anyway: overlap a little.
            piece_start = max(0, start - 20)
            spans += [s for s in _spans(text[piece_start : start + SCAN_CHARS], phrases, piece_start) if s[0] >= start]
            if spans:
                break
    if not spans and parts:
        spans = _literal_spans(text, parts)
    if window_start is None:
        window_start = _best_window(spans, width) if spans else 0
    spans = _merge(spans)
    window_end = min(len(text), window_start + width)
    out = ["…" if window_start > 0 else ""]
    pos = window_start
    for a, b in spans:
        if b <= window_start or a >= window_end:
            continue
        a, b = max(a, window_start), min(b, window_end)
        out.append(escape(text[pos:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(escape(text[pos:window_end]))
    if window_end < len(text):
        out.append("…")
    return mark_safe("".join(out))
