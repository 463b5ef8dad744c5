from kohoshi.search import analysis


def _contains(tokens, phrase):
    n = len(phrase)
    return any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1))


def test_compound_and_its_parts_are_found_in_the_same_tokens():
    tokens = analysis.index_tokens("子育て支援医療費助成制度を構築します")
    for word in ("子育て支援医療費助成制度", "医療費", "助成", "子育て", "制度"):
        assert all(_contains(tokens, p) for p in analysis.word_phrases(word)), word


def test_width_case_and_kana_variants_fold_to_one_token():
    assert analysis.word_phrases("ＰＲＩＤＥ") == analysis.word_phrases("PRIDE") == analysis.word_phrases("pride")
    assert analysis.word_phrases("こども") == analysis.word_phrases("子ども")
    assert analysis.word_phrases("ゴミ") == analysis.word_phrases("ごみ")
    assert analysis.word_phrases("１２３") == analysis.word_phrases("123")


def test_one_character_word_is_a_token_of_its_own():
    assert analysis.word_phrases("市") == [["市"]]
    assert _contains(analysis.index_tokens("苫小牧市の取組"), ["市"])
    assert not _contains(analysis.index_tokens("市民の皆様"), ["市"])


def test_unquoted_word_drops_particles_but_phrase_keeps_them():
    assert analysis.word_phrases("平和の鐘") == [["平和"], ["鐘"]]
    assert analysis.phrase_tokens("平和の鐘") == ["平和", "の", "鐘"]


def test_symbols_are_not_indexed():
    assert analysis.index_tokens("■日時：5月11日、（1）") == ["日時", "5", "月", "11", "日", "1"]


def test_input_over_sudachi_limit_is_chunked():
    text = ("防災訓練を行います。\n" * 8000)  # about 240 KB of UTF-8
    tokens = analysis.index_tokens(text)
    assert tokens.count("防災") == 8000


def test_offsets_point_at_the_surface():
    text = "ＰＲＩＤＥ指標と子どもたち"
    spans = {t.text: text[t.start : t.end] for t in analysis.tokens_with_offsets(text)}
    assert spans["ぷらいど"] == "ＰＲＩＤＥ"
    assert spans["子供"] == "子ども"


def test_extra_tokens_hold_dictionary_parts_of_words_and_readings():
    part, reading = analysis.PART_MARK, analysis.READING_MARK
    extras = set(analysis.extra_tokens("生ごみとごみ袋、子育て支援、図書館、厚木市民、2024年"))
    assert {part + "ごみ", part + "袋", part + "市", part + "民"} <= extras
    assert {reading + "こそだて", reading + "としょかん", reading + "しみん"} <= extras
    assert part + "生ご" not in extras  # not a word
    assert not any(t[1:].isdigit() for t in extras)  # numbers have no parts
    # The tokens come first, unchanged; the extras after them.
    assert analysis.index_text("生ごみ").split()[0] == "生塵"
