"""Wrapped lines of text frames narrower than their column, bold paragraphs and bold lists
(split.mark_frame_ends, split._frame_full, split._render).

Found on real newsletters (bench/ingest/real_truth): a paragraph set in a box beside a photo kept
every line break ("日中の明るい時間だけ⏎の開催であることや"), because only lines reaching the
column's far end counted as wrapped; a lead paragraph in bold became one ◇ heading per line; a
bold bullet list got ◇ before each ● and its items were run together."""

from __future__ import annotations

import pytest

from kohoshi.ingest.pdf.layout import Line
from kohoshi.ingest.pdf.split import assemble

COLUMN = 500.0  # the column reaches x = 40 + 500; the frames below stop far short of it


def _line(text: str, top: float, *, size: float = 10.0, bold: float = 0.0, x0: float = 40.0) -> Line:
    x1 = x0 + sum(size if ord(ch) > 0x2E7F else size / 2 for ch in text)
    return Line(
        text=text, x0=x0, top=top, x1=x1, bottom=top + size, size=size, bold=bold, page=1,
        a0=x0, a1=x1, c0=top, c1=top + size, column=0, column_end=x0 + COLUMN,
    )


def _issue(rows: list[str], *, bold: float = 0.0) -> str:
    """The body of a one-article issue: a title, then ``rows`` one line each, 15 points apart."""
    lines = [_line("夏まつりを開きました", 40.0, size=20.0, bold=1.0)]
    lines += [_line(text, 80.0 + 15 * k, bold=bold) for k, text in enumerate(rows)]
    articles, _warnings = assemble([(lines, 10.0)])
    assert [a.title for a in articles] == ["夏まつりを開きました"]
    return articles[0].body


FRAME = [  # 20 characters a line, in a box 200 points wide beside a photo
    "今年の夏まつりは三年ぶりに校庭で開かれ、",
    "朝から大勢の親子連れでにぎわいました。模擬",
    "店や輪投げのほか、保護者による太鼓の演奏",
    "もあり、最後まで笑い声が絶えませんでした。",
    "来年はさらに多くの方に楽しんでいただける",
    "よう準備を進めます。",
]


def test_the_wrapped_lines_of_a_frame_narrower_than_its_column_are_one_paragraph():
    assert _issue(FRAME).split("\n") == [
        "今年の夏まつりは三年ぶりに校庭で開かれ、朝から大勢の親子連れでにぎわいました。模擬"
        "店や輪投げのほか、保護者による太鼓の演奏もあり、最後まで笑い声が絶えませんでした。",
        "来年はさらに多くの方に楽しんでいただけるよう準備を進めます。",
    ]


def test_a_line_of_a_ragged_frame_four_characters_short_still_wraps():
    rows = [
        "校庭の芝生は不定期ですが、主に土曜日の午後",
        "に都合のつく有志が集まって手入れをしてい",
        "ます。メンバー以外の方の飛び入り参加も歓迎",
        "ですので、おやじを見たら声をかけて",  # 4 characters short of the longest above
        "もらえたらうれしいです。",
    ]
    assert _issue(rows).split("\n") == ["".join(rows)]


def test_a_paragraph_set_in_bold_is_a_paragraph_not_a_heading_a_line():
    body = _issue(FRAME, bold=1.0)
    assert "◇" not in body
    assert body.split("\n")[-1] == "来年はさらに多くの方に楽しんでいただけるよう準備を進めます。"


def test_a_bold_bullet_list_keeps_one_item_a_line_without_a_heading_mark():
    rows = [
        "●会場は小学校の校庭と体育館の二か所です",
        "●雨の日は体育館だけで催しを行います",
        "●車での来場はご遠慮ください",
    ]
    assert _issue(rows, bold=1.0).split("\n") == rows


APART = {
    "short items that end alike": ["日時 八月六日土曜日", "場所 市立第一小学校", "定員 先着三十人まで"],
    "a line far longer than the short lines around it is no frame's wrap": [
        "放送は毎週火曜の午前九時から",
        "再放送は土曜の午後一時から",
        "ほかにも市の公式アカウントなどさまざまな手段で情報を発信中",
        "詳しくは市のホームページをご覧ください",
    ],
    # lines that end short of the column alike, each opening with a label: items, not a wrap
    "items of a list as long as a frame": [
        "梨：高沢農園の直売所(愛甲三〇〇二番地)【電話】二五〇-一一七四",
        "葡萄：玉川ぶどう園の直売所(小野一〇二八番地)【電話】二四八-〇四六四",
        "(3)二つの直売所はどちらも八月中旬から九月上旬まで営業",
    ],
    "the last item of a list and the line after it": [
        "(1)保護者が仕事などの理由で昼間に家庭にいない",
        "(2)保護者が会場まで毎日送り迎えできる",
        "(3)市の放課後児童クラブを利用していない",
        "～(3)の全てに当てはまる市内の小学生",
    ],
}


@pytest.mark.parametrize("rows", list(APART.values()), ids=list(APART))
def test_lines_that_do_not_wrap_stay_apart(rows):
    assert _issue(rows).split("\n") == rows


def _placed(rows: list[tuple[str, float, float, float]]) -> str:
    """Like ``_issue``, each row placed by hand: (text, left edge, size, bold), 15 points apart."""
    lines = [_line("夏まつりを開きました", 40.0, size=20.0, bold=1.0)]
    lines += [_line(text, 80.0 + 15 * k, x0=x0, size=size, bold=bold) for k, (text, x0, size, bold) in enumerate(rows)]
    articles, _warnings = assemble([(lines, 10.0)])
    return articles[0].body


def test_the_lines_hanging_under_an_arrowed_item_are_its_text():
    # the NPO report (bench/ingest/real_truth/seinen-opinion-report2017.json), page 2: each ➡ item
    # runs on under its text, one mark in, and stops well short of the column
    body = _placed([
        ("➡会場の受付は当日の朝九時から始まります。混雑を避けるため、お車ではなく、できるだけ", 40.0, 10.0, 0.0),
        ("公共交通機関でお越しください。", 50.0, 10.0, 0.0),
        ("➡雨の日は体育館だけで催しを行います。", 40.0, 10.0, 0.0),
    ])
    assert body.split("\n") == [
        "➡会場の受付は当日の朝九時から始まります。混雑を避けるため、お車ではなく、できるだけ公共交通機関でお越しください。",
        "➡雨の日は体育館だけで催しを行います。",
    ]


def test_the_line_under_a_short_item_stays_its_own():
    rows = [("■災害情報のメールマガジン", 40.0, 10.0, 0.0), ("防災行政無線の内容も配信", 50.0, 10.0, 0.0)]
    assert _placed(rows).split("\n") == [text for text, *_ in rows]


def test_a_heading_centred_over_several_lines_is_one_heading():
    # the NPO report, page 1: a speech bubble "違いがあるの⏎知って⏎いますか？", each line centred
    rows = [("背の高さだけでは分かりません。", 40.0, 10.0, 0.0),
            ("違いがあるの", 280.0, 10.7, 1.0), ("知って", 296.0, 10.7, 1.0), ("いますか？", 285.4, 10.7, 1.0),
            ("外見からは分かりにくい違いです。", 40.0, 10.0, 0.0)]
    lines = _placed(rows).split("\n")
    assert [line for line in lines if "違いが" in line] == ["◇違いがあるの知っていますか？"], lines
