import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count

from kohoshi.places.codes import check_digit, validate_local_government_code
from kohoshi.places.models import Municipality, Prefecture
from kohoshi.places.services import municipalities_load


@pytest.mark.parametrize("code", ["012131", "142123", "131016", "472018", "010006", "130001"])
def test_real_codes_pass_the_check_digit(code):
    validate_local_government_code(code)


@pytest.mark.parametrize("code", ["012132", "142120", "999999"])
def test_code_with_wrong_check_digit_is_refused_naming_the_right_digit(code):
    with pytest.raises(ValidationError) as exc:
        validate_local_government_code(code)
    assert exc.value.code == "code_check_digit"
    assert str(check_digit(code[:5])) in exc.value.messages[0]


@pytest.mark.parametrize("code", ["01213", "0121311", "01213a", "０１２１３１", ""])
def test_code_that_is_not_six_ascii_digits_is_refused(code):
    with pytest.raises(ValidationError) as exc:
        validate_local_government_code(code)
    assert exc.value.code == "code_format"


@pytest.mark.django_db
def test_migration_loads_every_prefecture_and_municipality():
    assert Prefecture.objects.count() == 47
    assert Municipality.objects.municipalities().count() == 1741
    kinds = dict(Municipality.objects.municipalities().values_list("kind").annotate(n=Count("pk")))
    assert kinds == {"city": 792, "town": 743, "village": 183, "ward": 23}
    tomakomai = Municipality.objects.get(code="012131")
    assert (tomakomai.full_name, tomakomai.kana) == ("北海道苫小牧市", "トマコマイシ")


@pytest.mark.django_db
def test_reloading_the_table_is_idempotent():
    result = municipalities_load()
    assert result == {"created": 0, "updated": 1788, "total": 1788}
    assert Municipality.objects.count() == 1788


@pytest.mark.django_db
def test_a_table_with_a_bad_check_digit_stops_naming_file_and_line(tmp_path):
    bad = tmp_path / "lg.csv"
    bad.write_text(
        "code,prefecture_code,name,kana,kind\n010006,01,北海道,ホッカイドウ,prefecture\n012132,01,苫小牧市,トマコマイシ,city\n",
        encoding="utf-8",
    )
    Municipality.objects.filter(code="012131").update(name="unchanged")
    with pytest.raises(ValidationError) as exc:
        municipalities_load(bad)
    assert f"{bad}:3: code:" in exc.value.messages[0]
    assert Municipality.objects.get(code="012131").name == "unchanged"
