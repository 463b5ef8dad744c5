"""Contact blocks against hand labels: precision and recall of `contacts_of` on real newsletters.

    .venv/bin/python bench/formatting/contacts.py LABELS.jsonl CSV_DIR [--misses]

LABELS.jsonl lists articles by issue (第N号 number, or "YYYY年M月号" from the file name) and row,
with every contact block each holds (label, names, tel, fax, email); an empty list means none.
Two label sets are kept: kohoshi/newsletters/tests/data/contact_labels.jsonl (広報あつぎ, in
../shared, also run as a test) and bench/formatting/contact_labels_kurashiki.jsonl (広報くらしき
from the public Mitsuo-Koikawa/Municipal-Bulletin repository, csv/332020_*; not in ../shared).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohoshi.settings")


def bodies_of(directory: Path) -> dict:
    bodies = {}
    for path in sorted(directory.glob("*.csv")):
        issue = re.search(r"第(\d+)号|(\d{4}年\d+月号)", path.name)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row_number, row in enumerate(csv.DictReader(fh), start=1):
                bodies[issue.group(1) or issue.group(2), row_number] = row["記事本文"]
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", type=Path)
    parser.add_argument("csv_dir", type=Path)
    parser.add_argument("--misses", action="store_true", help="print the articles where parse and labels differ")
    args = parser.parse_args()
    import django

    django.setup()
    from kohoshi.newsletters.tests.test_contacts import precision_recall

    labels = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines()]
    precision, recall, misses = precision_recall(bodies_of(args.csv_dir), labels)
    blocks = sum(len(a["contacts"]) for a in labels)
    print(f"{args.labels.name}: {len(labels)} articles, {blocks} blocks: precision {precision:.3f}, recall {recall:.3f}")
    if args.misses:
        for miss in misses:
            print(json.dumps(miss, ensure_ascii=False))


if __name__ == "__main__":
    main()
