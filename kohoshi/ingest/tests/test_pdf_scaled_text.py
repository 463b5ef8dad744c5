"""Text set as Quartz, Illustrator and PDFill set it: the font command says size 1 and the text
matrix scales it (bench/ingest/real_truth: おやじの会通信, an NPO report — on these every glyph read
as 1 pt, so no title stood out and no article was found)."""
import io

from reportlab.pdfgen import canvas

from kohoshi.ingest.pdf import extract_issue
from kohoshi.ingest.tests.newsletter_pdf import _font

ARTICLES = [
    ("春の健康まつりを開きます", ["市民会館で健康まつりを開きます。血圧測定や歯の相談ができます。",
                                  "日時は4月20日の10時から15時まで。申込みは不要です。"]),
    ("図書館の休館日が変わります", ["4月から中央図書館の休館日は毎週月曜日になります。",
                                    "祝日の月曜日は開館し、翌日に休みます。"]),
    ("子育て相談の窓口", ["子育ての悩みを保健師に相談できます。電話でも受け付けます。",
                         "平日の9時から17時まで。秘密は守ります。"]),
]


def _scaled_text_pdf() -> bytes:
    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    y = 780.0
    for title, paragraphs in ARTICLES:
        for text, size in [(title, 20.0)] + [(p, 10.0) for p in paragraphs]:
            t = c.beginText()
            t.setFont(font, 1)  # "Tf 1"
            t.setTextTransform(size, 0, 0, size, 50, y)  # the size lives in the text matrix
            t.textOut(text)
            c.drawText(t)
            y -= size * 1.8
        y -= 20
    c.showPage()
    c.save()
    return buf.getvalue()


def test_text_scaled_by_its_matrix_keeps_its_size_and_its_titles(tmp_path):
    pdf = tmp_path / "scaled.pdf"
    pdf.write_bytes(_scaled_text_pdf())
    issue = extract_issue(str(pdf))
    assert [a.title for a in issue.articles] == [title for title, _ in ARTICLES]
    assert "血圧測定" in issue.articles[0].body and "秘密は守ります" in issue.articles[2].body
