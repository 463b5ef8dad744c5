#!/bin/sh
# PostgreSQL with and without the RUM index, on the existing bench databases (--reuse-index):
# the RUM index must be there (migration search/0004 or CREATE INDEX, docs/search.md);
# KOHOSHI_SEARCH_PG_RUM=0 makes the same code take the GIN query. Logs and JSON in bench/out/.
cd "$(dirname "$0")/../.."
URL="${1:-postgres://postgres@127.0.0.1:5432/postgres}"
for size in 100000 1000000; do
  KOHOSHI_SEARCH_PG_RUM=0 .venv/bin/python -m bench.search.run --size $size --skip-baselines --reuse-index --postgres "$URL" > bench/out/pg-$size-gin.log 2>&1
  cp bench/out/search-postgresql-$size.json bench/out/search-postgresql-$size-gin.json
  .venv/bin/python -m bench.search.run --size $size --skip-baselines --reuse-index --postgres "$URL" > bench/out/pg-$size-rum.log 2>&1
  cp bench/out/search-postgresql-$size.json bench/out/search-postgresql-$size-rum.json
done
