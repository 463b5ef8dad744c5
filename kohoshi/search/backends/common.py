from dataclasses import dataclass
from datetime import date, datetime


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


def where_filters(connection, criteria: Criteria, alias: str = "d") -> tuple[list[str], list]:
    ops = connection.ops
    sql = [f"{alias}.published_at <= %s"]
    params: list = [ops.adapt_datetimefield_value(criteria.now)]
    for column in ("prefecture_id", "municipality_id", "newsletter_id", "category_id"):
        value = getattr(criteria, column)
        if value is not None:
            sql.append(f"{alias}.{column} = %s")
            params.append(value)
    if criteria.date_from:
        sql.append(f"{alias}.published_on >= %s")
        params.append(ops.adapt_datefield_value(criteria.date_from))
    if criteria.date_to:
        sql.append(f"{alias}.published_on <= %s")
        params.append(ops.adapt_datefield_value(criteria.date_to))
    return sql, params
