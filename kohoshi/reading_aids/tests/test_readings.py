import html
import re

from kohoshi.reading_aids import readings
from kohoshi.reading_aids.ruby import ruby_html, ruby_text
from kohoshi.reading_aids.speech import Block, speech_script, speech_text


def _read(text, **kw):
    return {s: r for s, r in readings.words(text, **kw) if r}


def test_name_readings_win_over_the_analyser():
    # 厚木市の鳶尾(とびお): the dictionaries read いちはつ (a flower).
    assert _read("荻野小または鳶尾小の敷地")["鳶尾"] != "とびお"
    assert _read("荻野小または鳶尾小の敷地", names={"鳶尾": "とびお"})["鳶尾"] == "とびお"


def test_numbers_are_read_with_their_counters():
    got = _read("4月1日と1月10日、10時30分から。費用は7万500円、1人1冊")
    assert got["1日"] == "ついたち"
    assert got["10日"] == "とおか"
    assert got["30分"] == "さんじゅっぷん"
    assert got["7万500円"] == "ななまんごひゃくえん"
    assert got["1人"] == "ひとり"
    assert got["1冊"] == "いっさつ"


def test_combined_reads_place_names_by_sudachi_and_words_by_openjtalk():
    assert _read("愛川町")["愛川町"] == "あいかわまち"
    assert _read("清川村に住む")["清川村"] == "きよかわむら"
    assert _read("受講日の前日")["日"] == "び"  # Sudachi alone says ひ


def test_words_cover_the_text_exactly():
    text = "■申込み：5月11日(土)までに、厚木市役所へ。Eメール可!"
    assert "".join(s for s, _ in readings.words(text)) == text


def test_ruby_parts_leave_okurigana_outside():
    assert readings.ruby_parts("申し込み", "もうしこみ") == [("申", "もう"), ("し", None), ("込", "こ"), ("み", None)]
    assert readings.ruby_parts("厚木", "あつぎ") == [("厚木", "あつぎ")]


def _without_ruby(fragment):
    return re.sub(r"<rt>.*?</rt>|</?ruby>", "", fragment)


def test_ruby_goes_into_text_nodes_only_and_keeps_links_byte_for_byte():
    body = (
        '<h2>申込み</h2><p>市民課<a href="tel:0462252111" class="kh-tel">046-225-2111</a>へ。'
        '<a href="https://www.city.atsugi.kanagawa.jp/">厚木市ホームページ</a> &lt;script&gt;危険&amp;</p>'
    )
    out = ruby_html(body)
    assert _without_ruby(out) == body
    assert '<a href="tel:0462252111" class="kh-tel">046-225-2111</a>' in out
    assert "<ruby>厚木市<rt>あつぎし</rt></ruby>" in out
    assert "&lt;script&gt;" in out and "<script" not in out


def test_ruby_text_escapes_what_it_reads():
    out = ruby_text("<b>市民</b>")
    assert "<b>" not in out and "&lt;b&gt;" in out


def test_speech_reads_phone_numbers_digit_by_digit_and_dates_as_dates():
    said = speech_text("5/11(土)10時~12時。問合せ:市民課【電話】046-225-2111")
    assert "5月11日" in said and "土曜日" in said and "10時から12時" in said
    assert "ゼロヨンロク、ニーニーゴー、ニーイチイチイチ" in said


def test_speech_applies_name_readings_and_marks_headings():
    script = speech_script("鳶尾の催し", "<h2>日時</h2><p>鳶尾公民館</p>", names={"鳶尾": "とびお"})
    assert script[0] == Block("title", "トビオの催し")
    assert script[1] == Block("heading", "日時")
    assert script[2].text == "トビオ公民館"
    assert html.unescape("&amp;") == "&"
