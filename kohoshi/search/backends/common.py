from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..models import SORT_KEY_SPAN


@dataclass(frozen=True)
class Criteria:
    """What both backends filter by, resolved to column values."""

    now: datetime
    prefecture_id: str | None = None
    municipality_id: str | None = None
    newsletter_id: int | None = None
    category_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def sort_key_range(self) -> tuple[int | None, int | None]:
        """The date range as a half-open range of sort keys (the day is their high part)."""
        low = self.date_from.toordinal() * SORT_KEY_SPAN if self.date_from else None
        high = (self.date_to + timedelta(days=1)).toordinal() * SORT_KEY_SPAN if self.date_to else None
        return low, high

    def filter_tokens(self) -> list[str]:
        prefixes = (("p", self.prefecture_id), ("m", self.municipality_id), ("n", self.newsletter_id), ("c", self.category_id))
        return [f"{p}_{v}" for p, v in prefixes if v is not None]


def where_filters(connection, criteria: Criteria, alias: str = "d") -> tuple[list[str], list]:
    """published_at <= now, the date range on sort_key, and the filter columns (PostgreSQL)."""
    sql = [f"{alias}.published_at <= %s"]
    params: list = [connection.ops.adapt_datetimefield_value(criteria.now)]
    low, high = criteria.sort_key_range()
    if low is not None:
        sql.append(f"{alias}.sort_key >= %s")
        params.append(low)
    if high is not None:
        sql.append(f"{alias}.sort_key < %s")
        params.append(high)
    for column in ("prefecture_id", "municipality_id", "newsletter_id", "category_id"):
        value = getattr(criteria, column)
        if value is not None:
            sql.append(f"{alias}.{column} = %s")
            params.append(value)
    return sql, params
