"""Draft relevance judgments for the search quality set, from the Atsugi corpus.

A candidate is relevant when every part of the query (with its spelling variants) occurs in the
article and the topic is substantive: in the title, or mentioned at least 3 times in the body.
The draft was then read through by title and kept in kohoshi/search/tests/data/quality.json
(titles and dates only: no body text). Run: python -m bench.search.judge > /tmp/draft.json
"""
import csv
import json
import re
import sys
from pathlib import Path

from kohoshi.newsletters.formatting import plain_text

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "municipal-bulletin" / "csv"

# query → one regex per query part (alternatives are spelling variants a reader would accept)
QUERIES = {
    "防災": ["防災|ぼうさい"],
    "子育て": ["子育て"],
    "ごみ": ["ごみ|ゴミ"],
    "健診": ["健診|健康診査"],
    "産後ケア": ["産後ケア"],
    "マイナンバーカード": ["マイナンバーカード"],
    "熱中症": ["熱中症"],
    "予防接種": ["予防接種"],
    "放課後児童クラブ": ["放課後児童クラブ"],
    "図書館": ["図書館"],
    "マラソン": ["マラソン"],
    "空き家": ["空き家"],
    "児童手当": ["児童手当"],
    "介護": ["介護"],
    "消防": ["消防"],
    "ボランティア": ["ボランティア"],
    "議会": ["議会"],
    "鮎": ["鮎|アユ|あゆ(?!コロ|号)"],
    "カーボンニュートラル": ["カーボンニュートラル"],
    "詐欺": ["詐欺"],
    "幼稚園": ["幼稚園"],
    "複合施設": ["複合施設"],
    "国民健康保険": ["国民健康保険|国保"],
    "障がい者 雇用": ["障がい|障害", "雇用"],
    "感震ブレーカー": ["感震ブレーカー"],
    "保育所": ["保育所"],
    '"市制70周年"': ["市制70周年"],
    "手話": ["手話"],
    "成年後見": ["成年後見"],
    "文化財": ["文化財"],
    "自殺予防": ["自殺"],
    "奨学金": ["奨学金"],
    "救急": ["救急"],
    "交通事故": ["交通事故"],
    "子ども 医療費": ["子ども|こども|子供", "医療費"],
    "こども 医療費": ["子ども|こども|子供", "医療費"],
    "ワクチン OR 予防接種": ["ワクチン|予防接種"],
    "高齢者 外出": ["高齢者|高齢の方", "外出"],
    "確定申告": ["確定申告"],
    "移動図書館": ["移動図書館"],
    # Typed in kana: the articles of 子育て and 図書館.
    "こそだて": ["子育て"],
    "としょかん": ["図書館"],
}


def articles():
    for path in sorted(CORPUS.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                yield row["記事タイトル"], row["公開年月"].replace(".", "-"), plain_text(row["記事本文"])


def judge(query, parts, corpus):
    relevant = []
    for title, day, body in corpus:
        counts = [(len(re.findall(p, title)), len(re.findall(p, body))) for p in parts]
        if all(t + b for t, b in counts) and (any(t for t, _ in counts) or sum(b for _, b in counts) >= 3):
            relevant.append([title, day])
    return relevant


def main():
    corpus = list(articles())
    draft = [{"query": q, "relevant": judge(q, parts, corpus)} for q, parts in QUERIES.items()]
    json.dump(draft, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
