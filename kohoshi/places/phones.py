"""Telephone numbers as a municipality's newsletter prints them → numbers a phone can dial.

Newsletters print their own town's numbers without the area code ("225-2746" in 広報あつぎ):
dialled from a landline in the same area that works, from a mobile it reaches nobody. The area
codes are not typed in here: libphonenumber's geocoding data names the place of every Japanese
area-code range in Japanese ("厚木" for +81 46 2…), and a municipality's ranges are the ones
named after it in its own prefecture. A local number is completed only when exactly one of
those ranges fits it (its length and first digits); otherwise it is not completed at all,
because a guessed area code could ring a stranger.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache

import phonenumbers

__all__ = ["LocalArea", "local_areas", "local_areas_of", "dialable"]

_NATIONAL_LENGTH = 9  # digits after the trunk 0 in a Japanese fixed-line number


@dataclass(frozen=True, order=True)
class LocalArea:
    """Numbers 0{code}{lead}… with `length` digits after the code belong to the place."""

    code: str  # area code without the trunk 0: "46"
    lead: str  # the local number's first digits within that code: "2"
    length: int  # digits of the local number: 7

    def fits(self, local: str) -> bool:
        return len(local) == self.length and local.startswith(self.lead)


def _area_of(prefix: str) -> LocalArea | None:
    """The area-code split of a geocoding prefix ("81462" → 46 / 2 / 7), from a valid sample."""
    national = prefix[2:]
    for fill in "5123467890":
        number = phonenumbers.parse("0" + national.ljust(_NATIONAL_LENGTH, fill), "JP")
        if phonenumbers.is_valid_number(number):
            size = phonenumbers.length_of_geographical_area_code(number)
            if size:
                return LocalArea(national[:size], national[size:], _NATIONAL_LENGTH - size)
    return None


@cache
def _ranges() -> dict[str, list[tuple[str, str]]]:
    """Place name (ja) → [(geocoding prefix, prefecture in English)]."""
    from phonenumbers.geodata import GEOCODE_DATA  # about 1 s: only when a number needs it

    places: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for prefix, names in GEOCODE_DATA.items():
        if prefix.startswith("81") and names.get("ja") and names.get("en"):
            places[names["ja"]].append((prefix, names["en"].rsplit(", ", 1)[-1]))
    return dict(places)


@cache
def _prefecture_english() -> dict[str, str]:
    """県 → the English name the geocoder uses for it ("Atsugi, Kanagawa").

    Learnt by majority from the municipalities whose name the geocoder knows in one prefecture
    only, so no table of prefecture names is typed in here.
    """
    from .services import DATA_FILE  # the shipped table of municipalities

    places = _ranges()
    votes: dict[str, Counter] = defaultdict(Counter)
    with open(DATA_FILE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    prefecture_of = {r["prefecture_code"]: r["name"] for r in rows if r["kind"] == "prefecture"}
    for row in rows:
        found = {english for _, english in places.get(_stem(row["name"]), [])}
        if row["kind"] != "prefecture" and len(found) == 1:
            votes[prefecture_of[row["prefecture_code"]]][found.pop()] += 1
    return {name: counter.most_common(1)[0][0] for name, counter in votes.items()}


def _stem(name: str) -> str:
    return re.sub(r"(?<=.)[都府県市町村区]$", "", name)


@cache
def local_areas(name: str, prefecture: str, *, ward: bool = False) -> tuple[LocalArea, ...]:
    """The area-code ranges of a municipality, e.g. ("厚木市", "神奈川県") → 046 2…, 046 4….

    Tokyo's special wards share the 東京 ranges. An empty result means the geocoder has no place
    of that name in that prefecture (many towns share a neighbour's area): nothing is completed.
    """
    places = _ranges()
    english = _prefecture_english().get(prefecture)
    place = _stem(prefecture) if ward else _stem(name)
    areas = {_area_of(prefix) for prefix, pref_en in places.get(place, []) if pref_en == english}
    return tuple(sorted(a for a in areas if a is not None and a.code))


def local_areas_of(municipality) -> tuple[LocalArea, ...]:
    """`local_areas` for a places.Municipality (its prefecture row is read)."""
    if municipality is None:
        return ()
    return local_areas(
        municipality.name, municipality.prefecture.name, ward=municipality.kind == municipality.Kind.WARD
    )


def dialable(printed: str, areas: tuple[LocalArea, ...] = ()) -> phonenumbers.PhoneNumber | None:
    """The valid Japanese number meant by `printed` ("225-2746", "046-225-2746", "0120-…").

    A number without its trunk 0 is local and is completed from `areas`; None when no single
    area fits it or the result is not a valid number.
    """
    digits = re.sub(r"\D", "", printed)
    if not digits:
        return None
    if not digits.startswith("0"):
        codes = {area.code for area in areas if area.fits(digits)}
        if len(codes) != 1:
            return None
        digits = "0" + codes.pop() + digits
    try:
        number = phonenumbers.parse(digits, "JP")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None
