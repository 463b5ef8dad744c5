"""Area codes derived from libphonenumber's geocoding data, and completing printed numbers."""

import pytest

from kohoshi.places.phones import LocalArea, dialable, local_areas


def test_a_municipalitys_ranges_come_from_the_geocoder():
    assert local_areas("厚木市", "神奈川県") == (LocalArea("46", "2", 7), LocalArea("46", "4", 7))
    assert local_areas("苫小牧市", "北海道") == (LocalArea("144", "", 6),)
    assert local_areas("千代田区", "東京都", ward=True) == (LocalArea("3", "", 8),)


def test_a_name_is_matched_in_its_own_prefecture_only():
    # 府中 is a place in the geocoder for 広島県 only; 東京都府中市 shares 042 with its neighbours.
    assert local_areas("府中市", "広島県")
    assert local_areas("府中市", "東京都") == ()


def test_local_numbers_are_completed_when_one_area_fits():
    atsugi = local_areas("厚木市", "神奈川県")
    assert dialable("225-2746", atsugi).national_number == 462252746
    assert dialable("12-3456", atsugi) is None


def test_a_local_number_two_areas_fit_is_not_completed():
    # Same length and lead under two different codes: no guess.
    areas = (LocalArea("46", "2", 7), LocalArea("47", "2", 7))
    assert dialable("225-2746", areas) is None


@pytest.mark.parametrize("printed", ["0120-123-456", "090-1234-5678", "050-3123-4567", "03-3261-1285"])
def test_complete_numbers_need_no_area(printed):
    assert dialable(printed) is not None
