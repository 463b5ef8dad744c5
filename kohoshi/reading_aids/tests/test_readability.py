"""The やさしい日本語 check: on the shared corpus' real articles, and on rewrites of the same notice."""
import csv

import pytest

from kohoshi.newsletters.formatting import plain_text
from kohoshi.reading_aids.readability import KANJI_RUN, LONG_SENTENCE, level_of, readability_check, readability_of_text

# The same notice twice, written by us: as newsletters print it, and rewritten in やさしい日本語.
OFFICIAL = (
    "■特定健康診査\n"
    "国民健康保険加入者で本年度中に40歳以上となる方を対象に、生活習慣病の早期発見を目的とした特定健康診査を"
    "市内指定医療機関において実施しますので、受診券到着後、各医療機関へ事前に申込みの上、受診してください。\n"
    "対象：市内在住の方\n"
    "問合せ：国保年金課"
)
EASY = (
    "■健康診断\n"
    "40歳より上の人は、健康診断を受けることができます。\n"
    "お金はかかりません。\n"
    "手紙が届いたら、病院に電話してください。\n"
    "わからないときは、電話で聞いてください。"
)


def test_a_rewrite_in_easy_japanese_scores_easier_and_loses_every_flag():
    hard, easy = readability_check(OFFICIAL), readability_check(EASY)
    assert easy.score > hard.score + 1
    assert hard.level == "上級後半" and easy.level not in ("上級前半", "上級後半")
    assert [length for _, length in hard.long_sentences] == [len(OFFICIAL.splitlines()[1])]
    assert easy.long_sentences == []
    assert "国民健康保険加入者" in hard.kanji_runs and "特定健康診査" in hard.kanji_runs
    assert easy.kanji_runs == []
    uncommon = dict(hard.uncommon_words)
    assert {"在住", "加入"} <= set(uncommon)  # administrative words a learner does not know
    assert "受診" in uncommon
    assert not {"健康", "電話", "手紙", "金", "病院", "届く"} & set(dict(easy.uncommon_words))


def test_markers_are_not_counted_as_text_and_lines_without_a_full_stop_are_sentences():
    check = readability_check("■日時\n5月10日\n\n◇持ち物\n筆記用具")
    assert check.sentences == 4
    assert "■" not in "".join(w for w, _ in check.uncommon_words)


def test_nothing_to_check():
    check = readability_check("   ")
    assert check.score is None and check.sentences == 0 and check.uncommon_share == 0


@pytest.mark.parametrize("score, level", [(6.2, "初級前半"), (5.5, "初級前半"), (5.49, "初級後半"), (3.0, "中級後半"), (0.2, "上級後半")])
def test_levels_follow_jreadabilitys_bands(score, level):
    assert level_of(score) == level


@pytest.mark.corpus
def test_every_corpus_article_gets_a_score_and_the_flags_stay_a_short_list(corpus_csv_files):
    """The shared corpus' real articles: each is scored, the flags point at a few sentences per
    article (not at everything), and each flagged sentence really is that long."""
    rows = [row for file in corpus_csv_files for row in csv.DictReader(file.open(encoding="utf-8-sig"))]
    checks = [readability_check(row["記事本文"]) for row in rows if plain_text(row["記事本文"]).strip()]
    assert len(checks) > 800
    assert all(c.score is not None and 0 < c.score < 10 for c in checks)
    sentences = sum(c.sentences for c in checks)
    long = [s for c in checks for s in c.long_sentences]
    assert 0 < len(long) < 0.1 * sentences
    assert all(len(s) == n > LONG_SENTENCE and "\n" not in s for s, n in long)
    assert all(len(run) >= KANJI_RUN for c in checks for run in c.kanji_runs)
    share = sum(sum(n for _, n in c.uncommon_words) for c in checks) / sum(c.content_words for c in checks)
    assert 0.2 < share < 0.5


def test_text_without_markup_is_checked_as_is():
    check = readability_of_text("きょうは いい 天気です。")
    assert check.sentences == 1 and check.long_sentences == [] and check.score > 4.5
