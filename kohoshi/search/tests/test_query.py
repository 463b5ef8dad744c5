from kohoshi.search.query import Term, parse


def test_words_are_anded_and_compounds_become_phrases():
    q = parse("子ども医療費 高校生")
    assert q.groups == ((Term((("子供",), ("医療", "費")), loose=True),), (Term((("高校", "生"),), loose=True),))


def test_quoted_phrase_keeps_particles_and_order():
    assert parse('"平和の鐘"').groups == ((Term((("平和", "の", "鐘"),)),),)


def test_full_width_quotes_and_spaces_work():
    assert parse("＂平和の鐘＂　防災") == parse('"平和の鐘" 防災')


def test_or_joins_neighbours():
    q = parse("子育て OR 育児 支援")
    assert [len(g) for g in q.groups] == [2, 1]


def test_minus_excludes():
    q = parse("マイナンバーカード -郵便局")
    assert q.excluded == (Term((("郵便", "局"),)),)
    assert len(q.groups) == 1


def test_only_exclusions_or_symbols_is_an_empty_query():
    assert parse("-郵便局").is_empty
    assert parse("！？・").is_empty
    assert parse("").is_empty
    assert parse("OR").is_empty


def test_or_without_a_word_before_it_is_ignored():
    assert parse("OR 防災").groups == parse("防災").groups


def test_hyphen_inside_a_word_is_not_an_exclusion():
    assert not parse("e-mail").excluded


def test_unquoted_words_also_match_loosely_quoted_phrases_and_exclusions_do_not():
    q = parse('ごみ "平和の鐘" -郵便局')
    assert [t.loose for g in q.groups for t in g] == [True, False]
    assert q.excluded == (Term((("郵便", "局"),)),)
    assert not q.exact().is_loose


def test_a_word_in_kana_is_also_looked_up_by_its_reading():
    assert parse("こそだて").groups[0][0].readings == ("\uff9fこそだて",)
    assert parse("トショカン").groups[0][0].readings == ("\uff9fとしょかん",)
    assert parse("子育て").groups[0][0].readings == ()
