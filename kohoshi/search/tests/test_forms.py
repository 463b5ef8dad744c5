import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bound", ["since", "until"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_search_refuses_dates_out_of_range_with_a_form_error_not_a_500(client, issue, bound, day):
    response = client.get("/search/", {"q": "子育て", bound: day})
    assert response.status_code == 200
    assert "1900年" in response.content.decode()


def test_search_with_dates_in_range_still_filters(client, issue):
    response = client.get("/search/", {"q": "子育て", "since": "2000-01-01", "until": "2100-12-31"})
    assert response.status_code == 200
