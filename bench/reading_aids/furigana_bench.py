"""Furigana accuracy of the three analysers of kohoshi/reading_aids/readings.py.

    .venv/bin/python bench/reading_aids/furigana_bench.py sample   # draw words → furigana_sample.tsv
    .venv/bin/python bench/reading_aids/furigana_bench.py score    # score furigana_judged.tsv

`sample` draws, with a fixed seed, kanji words (SudachiPy SplitMode.C tokens) from the real
広報あつぎ articles in ../shared/corpus (read at run time, never copied: only the single words
are written) — proper nouns drawn apart so names are well represented — and municipality names
from kohoshi/places/data/local_governments.csv, and writes each word with the reading each
analyser gives it in its sentence. A person then writes the correct reading of every word
(judging it in its sentence) into furigana_judged.tsv: word, kind, truth, the three readings.
`score` prints accuracy per analyser, overall and on names.
"""
import csv
import os
import random
import sys
from pathlib import Path

import django

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohoshi.settings")
django.setup()

from kohoshi.reading_aids import readings  # noqa: E402

SHARED = Path(os.environ.get("KOHOSHI_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "municipal-bulletin" / "csv"
HERE = Path(__file__).resolve().parent
SEED = 15
ANALYSERS = ("sudachi", "openjtalk", "combined")


def _texts():
    for path in sorted(CORPUS.glob("*.csv")):
        with path.open(encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                yield row["記事タイトル"]
                yield from (line for line in row["記事本文"].splitlines() if readings.has_kanji(line))


def _reading_in(line, analyser, begin, end):
    """The analyser's reading of line[begin:end] (the words it finds inside that span)."""
    pos, out = 0, []
    for surface, reading in readings.analyse(line, analyser):
        b, e = pos, pos + len(surface)
        pos = e
        if e <= begin or b >= end:
            continue
        if b < begin or e > end:
            return "(境界違い)"
        out.append(reading or readings.to_hiragana(surface))
    return "".join(out)


def _number_span(line, begin):
    pos = 0
    for surface, reading in readings.analyse(line, "combined"):
        b, e = pos, pos + len(surface)
        pos = e
        if b <= begin < e:
            return (b, e) if any(c.isdigit() for c in surface) else None
    return None


def sample():
    from sudachipy import SplitMode

    rng = random.Random(SEED)
    lines = list(_texts())
    rng.shuffle(lines)
    tok = readings._tokenizer()
    common, names, seen = [], [], set()
    for line in lines:
        offset = 0
        for m in tok.tokenize(line, SplitMode.C):
            surface = m.surface()
            if readings.has_kanji(surface) and not readings._MIXED.search(surface) and rng.random() < 0.15:
                b, e = m.begin(), m.end()
                span = _number_span(line, b)  # 10日 → the whole number with its counter
                if span:
                    b, e = span
                    surface = line[b:e]
                if surface in seen:
                    continue
                is_name = m.part_of_speech()[1] == "固有名詞"
                bucket = names if is_name else common
                if len(bucket) < (80 if is_name else 340):
                    seen.add(surface)
                    bucket.append((surface, "name" if is_name else "word", line, b, e))
        if len(common) >= 340 and len(names) >= 80:
            break
    with (REPO / "kohoshi/places/data/local_governments.csv").open(encoding="utf-8") as f:
        places = [r for r in csv.DictReader(f) if r["kind"] != "prefecture"]
    towns = rng.sample(places, 80)
    rows = []
    for surface, kind, line, b, e in common + names:
        rows.append([surface, kind, ""] + [_reading_in(line, a, b, e) for a in ANALYSERS] + [line[max(0, b - 12):e + 12]])
    for town in towns:
        name = town["name"]
        rows.append([name, "place", readings.to_hiragana(town["kana"])] + [_reading_in(name, a, 0, len(name)) for a in ANALYSERS] + ["(自治体名)"])
    with (HERE / "furigana_sample.tsv").open("w", encoding="utf-8") as f:
        f.write("word\tkind\ttruth\t" + "\t".join(ANALYSERS) + "\tcontext\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    print(f"{len(rows)} words → {HERE / 'furigana_sample.tsv'} (context column is for the judge; not committed)")


def score():
    with (HERE / "furigana_judged.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    print(f"{len(rows)} judged words")
    for analyser in ANALYSERS:
        for label, subset in (("all", rows), ("names", [r for r in rows if r["kind"] != "word"]),
                              ("corpus names", [r for r in rows if r["kind"] == "name"]),
                              ("municipality names", [r for r in rows if r["kind"] == "place"])):
            ok = sum(r[analyser] in r["truth"].split("|") for r in subset)
            print(f"{analyser:10} {label:19} {ok}/{len(subset)} = {100 * ok / len(subset):.1f} %")


if __name__ == "__main__":
    {"sample": sample, "score": score}[sys.argv[1]]()
