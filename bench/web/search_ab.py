"""The search page of two checkouts side by side: each served by its own `kohoshi serve` from the
same database, requests alternated between them, so load on a shared machine falls on both alike.

    .venv/bin/python -m bench.web.search_ab --postgres postgres://postgres@127.0.0.1:5432/postgres \
        --size 1000000 main=/work/main branch=.

Each checkout runs with its own directory first on PYTHONPATH (its `kohoshi` package, the
virtualenv's packages) and its own data directory (static files, caches). The paths are
bench/web/large's: bench/search's 52 queries as the search page's parameters. Each path is asked
once of each server to warm, then REPEAT rounds; in a round the servers take turns, the first
server alternating. Prints p50 / p95 / p99 per checkout and the load average before and after.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
from pathlib import Path

from ..search.run import REPEAT, percentiles
from .common import BIN, HOST, OUT, start, stop, wait_http
from .large import PREPARE, database_url, env_for, search_paths


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int]:
    t = time.perf_counter()
    conn.request("GET", path, headers={"User-Agent": "kohoshi-bench"})
    response = conn.getresponse()
    response.read()
    return time.perf_counter() - t, response.status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="a server URL; the database is bench/search's")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=8240)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("checkouts", nargs="+", help="label=path of a checkout")
    args = parser.parse_args()
    checkouts = [(label, Path(path).resolve()) for label, path in (c.split("=", 1) for c in args.checkouts)]
    url = database_url(args.postgres, args.size)
    servers, conns = [], []
    load_before = os.getloadavg()
    try:
        for n, (label, tree) in enumerate(checkouts):
            env = env_for(url, args.size)
            env.update(PYTHONPATH=str(tree), KOHOSHI_DATA_DIR=str(OUT / f"ab-{label}-{args.size}"),
                       KOHOSHI_WEB_WORKERS="1")
            if n == 0:
                import subprocess

                pages = json.loads(subprocess.run([str(BIN / "python"), "-c", PREPARE], env=env, check=True, cwd=tree,
                                                  capture_output=True, text=True).stdout.strip().splitlines()[-1])
            port = args.port + n
            servers.append(start([str(BIN / "python"), "-m", "kohoshi", "serve", "--no-worker", "--port", str(port)],
                                 env=env, cwd=tree, log=OUT / "logs" / f"ab-{label}-{args.size}.log"))
            wait_http(f"http://{HOST}:{port}{pages['article']}", servers[-1], timeout=120)
            conns.append(http.client.HTTPConnection(HOST, port, timeout=60))
        town = pages["municipality"].strip("/").split("/")[-1]
        paths = search_paths(town)
        times = {label: [] for label, _ in checkouts}
        per_query = {label: {} for label, _ in checkouts}
        statuses = {label: set() for label, _ in checkouts}
        for path in paths:
            for conn in conns:
                _get(conn, path)
        load_mid = os.getloadavg()
        for round_ in range(args.repeat):
            for path in paths:
                order = list(range(len(checkouts)))
                if round_ % 2:
                    order.reverse()
                for i in order:
                    label = checkouts[i][0]
                    seconds, status = _get(conns[i], path)
                    times[label].append(seconds)
                    per_query[label].setdefault(path, []).append(seconds)
                    statuses[label].add(status)
        load_after = os.getloadavg()
    finally:
        for conn in conns:
            conn.close()
        for server in servers:
            stop(server)
    result = {"size": args.size, "load": [round(x[0], 2) for x in (load_before, load_mid, load_after)],
              "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    for label, _ in checkouts:
        result[label] = {**percentiles(times[label]), "statuses": sorted(statuses[label]),
                         "per_query_median_ms": {p: round(sorted(v)[len(v) // 2] * 1000, 1)
                                                 for p, v in per_query[label].items()}}
        r = result[label]
        print(f"{label:>10} {args.size:>9,} articles: p50 {r['p50']} p95 {r['p95']} p99 {r['p99']} ms "
              f"(n {r['n']}, statuses {r['statuses']})")
    print(f"load average (1 min) before / after warming / after: {result['load']}")
    out = OUT / f"search-ab-{args.size}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
