#!/bin/sh
# The two 1M runs one after the other (each rebuild has the CPUs to itself), logs in bench/out/.
cd "$(dirname "$0")/../.."
.venv/bin/python -m bench.search.run --size 1000000 --skip-baselines > bench/out/sqlite-1m.log 2>&1
.venv/bin/python -m bench.search.run --size 1000000 --skip-baselines --postgres "${1:-postgres://postgres@127.0.0.1:5432/postgres}" > bench/out/pg-1m.log 2>&1
