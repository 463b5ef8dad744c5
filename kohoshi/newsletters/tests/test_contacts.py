"""Contact blocks (問合せ…) as newsletters write them, measured against hand labels on real text.

data/contact_labels.jsonl names articles of the 広報あつぎ corpus in ../shared by issue number and
row, and lists every contact block in each (its line, for people; label, names, tel, fax, email).
Articles with an empty list have none. Labels were drafted by a separate simple script and then
checked and corrected by hand, block by block; the corpus text itself is not stored here.
"""

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kohoshi.newsletters.formatting import contact_of, contacts_of, render_body

from .test_formatting import CORPUS_CSV

LABELS = Path(__file__).parent / "data" / "contact_labels.jsonl"
FIELDS = ("label", "names", "tel", "fax", "email")


def _key(contact: dict) -> str:
    return json.dumps([contact[f] for f in FIELDS], ensure_ascii=False)


def precision_recall(bodies: dict, labels: list[dict]) -> tuple[float, float, list]:
    """A detected block counts when all its fields equal a labelled block of the same article."""
    found = expected = matched = 0
    misses = []
    for article in labels:
        got = Counter(_key(c) for c in contacts_of(bodies[article["issue"], article["article"]]))
        want = Counter(_key(c) for c in article["contacts"])
        found += sum(got.values())
        expected += sum(want.values())
        matched += sum((got & want).values())
        if got != want:
            misses.append((article["issue"], article["article"], sorted(got - want), sorted(want - got)))
    return matched / max(found, 1), matched / max(expected, 1), misses


@pytest.fixture(scope="module")
def labelled_bodies() -> dict:
    files = sorted(CORPUS_CSV.glob("*.csv"))
    if not files:
        pytest.skip(f"../shared corpus not found at {CORPUS_CSV}")
    bodies = {}
    for path in files:
        issue = re.search(r"第(\d+)号", path.name).group(1)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row_number, row in enumerate(csv.DictReader(fh), start=1):
                bodies[issue, row_number] = row["記事本文"]
    return bodies


@pytest.mark.corpus
def test_contact_blocks_match_the_hand_labels(labelled_bodies):
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    assert sum(len(a["contacts"]) for a in labels) >= 150
    precision, recall, misses = precision_recall(labelled_bodies, labels)
    print(f"contact blocks: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95, misses[:10]


# --- How other newsletters write them (made-up strings in real shapes) -------------------------


@pytest.mark.parametrize(
    "body",
    [
        "問合せ：市民課\n【電話】225-2746",
        "問い合わせ：市民課\n【電話】225-2746",
        "お問い合わせ：市民課\n電話：225-2746",
        "申込み・問合せ：市民課　TEL 225-2746",
        "申し込み・問い合わせ:市民課 Tel:225-2746",
        "問合先：市民課☎225-2746",
        "問い合わせ先　市民課　℡225-2746",
        "【問合せ】市民課【電話】225-2746",
        "〔問い合わせ〕市民課 電話 225-2746",
        "お問い合わせ\n市民課\nTEL 225-2746",
    ],
)
def test_contact_blocks_are_recognised_in_their_many_spellings(body):
    contact = contact_of(body)
    assert contact and contact["name"] == "市民課" and contact["tel"] == ["225-2746"], contact
    assert '<aside class="kh-contact"' in render_body(body)


def test_fax_and_email_are_read_in_their_spellings():
    contact = contact_of("お問い合わせ：市民課\nTEL：225-2746　FAX：225-2747\nE-mail：shimin@example.jp")
    assert contact["tel"] == ["225-2746"] and contact["fax"] == ["225-2747"]
    assert contact["email"] == ["shimin@example.jp"]
    contact = contact_of("問合せ：市民課\n【電話・FAX】225-2746\n【E-mail】shimin@example.jp")
    assert contact["tel"] == contact["fax"] == ["225-2746"] and contact["email"] == ["shimin@example.jp"]


def test_several_contacts_in_one_block_and_one_article():
    body = "■講座A\n問合せ：\n(1)市民課【電話】225-2110\n(2)市民税課【電話】225-2012\n\n■講座B\n問い合わせ：講師・山田\n電話：090-1234-5678"
    contacts = contacts_of(body)
    assert [c["names"] for c in contacts] == [["市民課", "市民税課"], ["講師・山田"]]
    assert [c["tel"] for c in contacts] == [["225-2110", "225-2012"], ["090-1234-5678"]]


def test_sentences_about_contacting_are_not_contact_blocks():
    assert contacts_of("問い合わせは市民課へ。\n電話で申し込み。") == []
    assert "kh-contact" not in render_body("費用も問い合わせてください。")


def test_every_office_on_a_line_is_named_and_addresses_are_not_names():
    body = "問合せ：\n東【電話】111-1111・西【電話】222-2222の各窓口\n給付金コールセンター　フリーダイヤル【電話】0120-000-000"
    contact = contact_of(body)
    assert contacts_of(body)[0]["names"] == ["東", "西", "給付金コールセンター"]
    assert contact["tel"] == ["111-1111", "222-2222", "0120-000-000"]
    assert contact_of("問合せ：市民センター(本町1-2)\n【電話】111-1111")["name"] == "市民センター"
    assert contact_of("問合せ：市民センター(〒100-0001本町1-2)\n【電話】111-1111")["name"] == "市民センター"
