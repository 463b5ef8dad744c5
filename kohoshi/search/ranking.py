"""How relevance is scored: every weight and boost of both backends, in one place.

A title match weighs TITLE_WEIGHT / BODY_WEIGHT (10×) a body match on both databases:

- SQLite: bm25 with one weight per FTS5 column (title, body, filter tokens), times NEAR_FACTOR
  when the query's phrases are also found within NEAR_DISTANCE tokens of each other.
- PostgreSQL: ts_rank_cd (cover density, which scores proximity itself) with the title's
  lexemes labelled PG_TITLE_LABEL and the body's PG_BODY_LABEL; PG_RANK_WEIGHTS gives each label
  its weight ({D, C, B, A}, PostgreSQL's order), PG_RANK_NORMALIZATION divides by 1 + log(length).

Exact matches come first: a loose match (a query word found only inside a longer word, ごみ in
生ごみ; see search/query.py) scores below every exact one (`tiered`), so 市 ranks 厚木市 (the
word 市) above 市民.

Migrations keep their own frozen copies of the labels; changing one here changes only the
query side unless a migration remakes the column.
"""

TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
# The filter tokens (p_14 m_142123 …) must never score.
FILTER_WEIGHT = 0.0

NEAR_DISTANCE = 10
# A match whose phrases are also found within NEAR_DISTANCE tokens of each other scores this
# many times its bm25: 子ども 医療費 prefers "子どもの医療費" to a page that says each once, far apart.
NEAR_FACTOR = 2.0

PG_TITLE_LABEL = "A"
PG_BODY_LABEL = "D"
# {D, C, B, A}: PostgreSQL's defaults, the body (D) a tenth of the title (A).
PG_RANK_WEIGHTS = (BODY_WEIGHT / TITLE_WEIGHT, 0.2, 0.4, 1.0)
PG_RANK_NORMALIZATION = 1


def pg_rank_sql(vector: str, query: str) -> str:
    """The ts_rank_cd expression for a tsvector and a tsquery (SQL expressions)."""
    weights = ",".join(repr(w) for w in PG_RANK_WEIGHTS)
    return f"ts_rank_cd('{{{weights}}}'::float4[], {vector}, {query}, {PG_RANK_NORMALIZATION})"


def tiered(score: float, *, exact: bool) -> float:
    """The score services sort by: exact matches keep theirs (never negative: -bm25 on SQLite,
    ts_rank_cd on PostgreSQL); loose ones map into [-1, 0), keeping their order among themselves."""
    return score if exact else -1.0 / (1.0 + max(score, 0.0))
