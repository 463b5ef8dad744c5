"""Tap-to-call on real newsletters: how many printed phone numbers become call links that reach
the right place.

    .venv/bin/python bench/formatting/tel.py [CSV_DIR ...] [--write]

Each CSV_DIR holds Municipal-Bulletin style CSV files (記事本文 column; the file name starts with
the 6-digit local government code, which names the publishing municipality). Without arguments
the 広報あつぎ corpus in ../shared is read. For every number printed after 【電話】 it reports
the share linked, the share of links that are valid Japanese numbers (phonenumbers), and, for
the numbers completed with an area code, how many the geocoder places outside the municipality
(must be 0). --write puts the table into the "## Tap-to-call" section of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohoshi.settings")
SHARED_CSV = Path(os.environ.get("KOHOSHI_SHARED", REPO.parent / "shared")) / "corpus" / "municipal-bulletin" / "csv"
DOC = REPO / "docs" / "benchmarks.md"
SECTION = "## Tap-to-call"

PRINTED = re.compile(r"【(?:電話|電話・FAX)】(\d{2,5}(?:-\d{1,6}){1,2}|0\d{9,10})")
LINK = re.compile(r'<a class="kh-tel" href="tel:([^"]+)">')


def municipality(code: str):
    from kohoshi.places.models import Municipality, Prefecture
    from kohoshi.places.services import DATA_FILE

    with open(DATA_FILE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if r["code"] == code)
    prefecture = next(r for r in rows if r["kind"] == "prefecture" and r["prefecture_code"] == row["prefecture_code"])
    return Municipality(code=code, name=row["name"], kind=row["kind"], prefecture=Prefecture(name=prefecture["name"]))


def measure(directory: Path) -> list[dict]:
    import phonenumbers
    from phonenumbers import geocoder

    from kohoshi.newsletters.formatting import render_body, repair_text
    from kohoshi.places.phones import local_areas_of

    by_town: dict[str, list[Path]] = {}
    for path in sorted(directory.glob("*.csv")):
        by_town.setdefault(path.name[:6], []).append(path)
    results = []
    for code, paths in by_town.items():
        town = municipality(code)
        place = re.sub(r"[市町村区]$", "", town.name)
        n = Counter()
        unlinked = Counter()
        for path in paths:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                bodies = [row["記事本文"] for row in csv.DictReader(fh)]
            for body in bodies:
                printed = PRINTED.findall(repair_text(body))
                hrefs = LINK.findall(render_body(body, municipality=town))
                before = LINK.findall(render_body(body))
                n["printed"] += len(printed)
                n["local"] += sum(not p.startswith("0") for p in printed)
                n["linked"] += len(hrefs)
                for href in hrefs:
                    number = phonenumbers.parse(href)
                    n["valid"] += phonenumbers.is_valid_number(number)
                completed = [h for h in hrefs if h not in before]
                n["completed"] += len(completed)
                for href in completed:
                    where = geocoder.description_for_number(phonenumbers.parse(href), "ja")
                    n["wrong_area"] += where != place
                linked_digits = {re.sub(r"\D", "", h)[-7:] for h in hrefs}
                for p in printed:
                    if re.sub(r"\D", "", p)[-7:] not in linked_digits:
                        unlinked[re.sub(r"\d", "9", p)] += 1
        results.append({
            "town": f"{town.prefecture.name}{town.name} ({code})", "files": len(paths), "areas": local_areas_of(town),
            "unlinked": dict(unlinked), **n,
        })
    return results


def table(results: list[dict]) -> str:
    lines = [
        "| newsletter | issues | numbers after 【電話】 | without area code | linked | links valid | completed | completed, geocoded elsewhere |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['town']} | {r['files']} | {r['printed']} | {r['local']} | {r['linked']} ({r['linked'] / r['printed']:.1%})"
            f" | {r['valid']} ({r['valid'] / max(r['linked'], 1):.1%}) | {r['completed']} | {r['wrong_area']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path, default=[SHARED_CSV])
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args()
    import django

    django.setup()
    results = [r for d in args.dirs for r in measure(d)]
    out = table(results)
    print(out)
    for r in results:
        print(r["town"], "area codes:", [f"0{a.code} {a.lead}… ({a.length} digits)" for a in r["areas"]])
        print("  not linked, by shape:", r["unlinked"])
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        body = f"{SECTION}\n\n`.venv/bin/python bench/formatting/tel.py DIR ... --write`\n\n{out}\n"
        if SECTION in doc:
            start = doc.index(SECTION)
            end = doc.find("\n## ", start + 1)
            doc = doc[:start] + body + (doc[end:] if end != -1 else "")
        else:
            doc = doc.rstrip("\n") + "\n\n" + body
        DOC.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()
