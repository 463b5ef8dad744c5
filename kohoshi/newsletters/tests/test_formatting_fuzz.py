"""Property tests for render_body: on any text, newsletter-like or hostile, it returns HTML that
the sanitiser would leave exactly as it is, with no script. No database is needed."""
import nh3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kohoshi.newsletters.formatting import _ALLOWED_ATTRIBUTES, _ALLOWED_SCHEMES, _ALLOWED_TAGS, render_body
from kohoshi.places.models import Municipality, Prefecture

ATSUGI = Municipality(code="142123", name="厚木市", kind="city", prefecture=Prefecture(code="14", name="神奈川県"))
FUZZ = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

MARKERS = ["■", "□", "◆", "◇", "●", "○", "▼", "★", "※", "・", "①", "(1)", "【", "】", "〔", "〕", "〒"]
LABELS = ["問合せ：", "問い合わせ　", "申込み：", "日時：", "場所：", "対象：", "費用：", "【電話】", "【FAX】", "電話", "☎", "TEL:"]
HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    "<style>*{}</style>", "<svg onload=alert(1)>", "&lt;script&gt;", "<!--", "]]>", "<p", '"', "'", "\ue000", "\ue0001\ue001",
    '<img src="https://evil.example/a.png" alt="地図">', "<br>", "</p>", "mailto:a@b.example", "https://example.jp/?a=1&b=<2>",
]  # fmt: skip
digits = st.from_regex(r"\A[0-9０-９]{1,5}([-ー－‐][0-9０-９]{1,4}){0,2}\Z")
word = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
line = st.one_of(
    st.builds(lambda m, w: m + w, st.sampled_from(MARKERS), word),
    st.builds(lambda label, d: label + d, st.sampled_from(LABELS), digits),
    st.builds(lambda label, w, d: f"{label}{w}（{d}）", st.sampled_from(LABELS), word, digits),
    st.sampled_from(HOSTILE),
    word,
    st.text(max_size=30),  # anything at all: control characters, lone surrogates
)
body = st.one_of(st.lists(line, max_size=12).map("\n".join), st.text(max_size=300))


def _clean(html: str) -> str:
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, url_schemes=_ALLOWED_SCHEMES, link_rel=None)


@FUZZ
@given(text=body, with_municipality=st.booleans())
def test_render_body_returns_html_the_sanitiser_leaves_unchanged(text, with_municipality):
    html = render_body(text, municipality=ATSUGI if with_municipality else None)
    assert isinstance(html, str)
    assert _clean(html) == html
    assert "<script" not in html.lower()
