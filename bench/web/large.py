"""Issue 13: the uncached pages at 1M articles beside the same pages at 1,000, on PostgreSQL.

    .venv/bin/python -m bench.search.run --size 1000000 --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python -m bench.web.large --postgres postgres://postgres@127.0.0.1:5432/postgres [--seconds 10]

Both databases are made by bench/search's generator (sentences of the real 広報あつぎ CSVs in
../shared/corpus recombined with a fixed seed, 50 municipalities, 25 articles an issue, ten years);
this script makes the 1,000-article one itself (`--size 1000`, corpus and index) if it is missing.
The generator leaves `body_html` empty: the measured article's body is rendered here (the same
article number and position in both), so both pages carry a real body. Then, one after the
other in one run, `kohoshi serve --no-worker` with KOHOSHI_PAGE_CACHE=0 on each database, and wrk
at 1 and 64 connections on the article, its issue, its municipality and a search (子育て).
Prints the table and the 1M / 1,000 ratios and writes the section between the markers
"bench/web/large.py" in docs/benchmarks.md (unless --no-docs).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from urllib.parse import urlencode

from ..search.run import FILTERED, QUERIES, REPEAT, percentiles
from .common import BIN, HOST, OUT, REPO, docs_section_write, start, stop, wait_http, wrk

SEARCH = "/search/?q=%E5%AD%90%E8%82%B2%E3%81%A6"  # 子育て
SIZES = (1_000, 1_000_000)

PREPARE = """
import django, json
django.setup()
from kohoshi.newsletters.formatting import render_body
from kohoshi.newsletters.models import Article, Issue
# The newest issue of the first newsletter, its 10th article: the same choice in both databases.
issue = Issue.objects.filter(status="published").order_by("-published_on", "-pk").first()
article = issue.articles.order_by("position")[9]
if not article.body_html:
    Article.objects.filter(pk=article.pk).update(
        body_html=render_body(article.body_source, municipality=issue.newsletter.municipality))
print(json.dumps({"article": article.get_absolute_url(), "issue": issue.get_absolute_url(),
                  "municipality": f"/m/{issue.newsletter.municipality_id}/",
                  "articles": Article.objects.count()}))
"""


# bench/search's filters as the search page's parameters
PARAMS = {"prefecture": "pref", "municipality": "muni", "date_from": "since", "date_to": "until",
          "category": "cat", "order": "order"}


def search_paths(town: str) -> list[str]:
    """The search page for each of bench/search's queries (its filtered ones with the page's own
    parameters; "municipality" is the measured article's town)."""
    paths = [f"/search/?{urlencode({'q': q})}" for q in QUERIES]
    for q, filters in FILTERED:
        params = {"q": q}
        for name, value in filters.items():
            params[PARAMS[name]] = town if name == "municipality" else str(value)
        paths.append(f"/search/?{urlencode(params)}")
    return paths


def search_page_latency(base: str, paths: list[str]) -> dict:
    """One reader on one kept-alive connection: every query once to warm, then REPEAT times;
    the page's wall time per request (p50/p95/p99 over all of them, as bench/search reports the
    engine's)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    times, statuses = [], set()
    try:
        for path in paths:
            for attempt in range(1 + REPEAT):
                t = time.perf_counter()
                conn.request("GET", path, headers={"User-Agent": "kohoshi-bench"})
                response = conn.getresponse()
                response.read()
                if attempt:
                    times.append(time.perf_counter() - t)
                statuses.add(response.status)
    finally:
        conn.close()
    return {**percentiles(times), "queries": len(paths), "statuses": sorted(statuses)}


def database_url(base: str, size: int) -> str:
    return f"{base.rsplit('/', 1)[0]}/kohoshi_bench_search_{size}"


def env_for(url: str, size: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    # PYTHONPATH: this checkout's kohoshi package. The virtualenv's editable install points at one
    # checkout, and the `kohoshi` script does not have the working directory on sys.path: a
    # worktree sharing the virtualenv would otherwise serve the other checkout's code.
    env.update(DATABASE_URL=url, KOHOSHI_DATA_DIR=str(REPO / "bench" / "out" / f"search-{size}"), PYTHONPATH=str(REPO),
               DJANGO_SETTINGS_MODULE="kohoshi.settings", KOHOSHI_TASKS="db", KOHOSHI_PAGE_CACHE="0",
               KOHOSHI_ACCESS_LOG="0", KOHOSHI_LOG_LEVEL="WARNING")
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="a server URL; the databases are bench/search's")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8230)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    import psycopg

    with psycopg.connect(args.postgres, autocommit=True) as conn:
        have = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    for size in SIZES:
        if f"kohoshi_bench_search_{size}" not in have:
            if size != SIZES[0]:
                raise SystemExit(f"run `python -m bench.search.run --size {size} --postgres {args.postgres}` first")
            # The whole search bench at this size (quick): the corpus and its search index.
            subprocess.run([str(BIN / "python"), "-m", "bench.search.run", "--size", str(size), "--skip-baselines",
                            "--postgres", args.postgres], check=True, cwd=REPO)

    results = {}
    for size in SIZES:
        env = env_for(database_url(args.postgres, size), size)
        pages = json.loads(subprocess.run([str(BIN / "python"), "-c", PREPARE], env=env, check=True,
                                          capture_output=True, text=True).stdout.strip().splitlines()[-1])
        server = start([str(BIN / "kohoshi"), "serve", "--no-worker", "--port", str(args.port)], env=env,
                       log=OUT / "logs" / f"large-{size}.log")
        try:
            base = f"http://{HOST}:{args.port}"
            wait_http(base + pages["article"], server, timeout=120)
            rows = {}
            for page, path in (("article", pages["article"]), ("issue", pages["issue"]),
                               ("municipality", pages["municipality"]), ("search", SEARCH)):
                wrk(base + path, connections=8, seconds=2)  # warm every worker and PostgreSQL's buffers
                rows[page] = {c: wrk(base + path, connections=c, seconds=args.seconds) for c in (1, 64)}
                print(f"{pages['articles']:>9,} articles {page:12} 1c {rows[page][1]['rps']:6.0f}/s "
                      f"p50 {rows[page][1]['p50_ms']:6.1f} p99 {rows[page][1]['p99_ms']:6.1f} ms | 64c "
                      f"{rows[page][64]['rps']:6.0f}/s p99 {rows[page][64]['p99_ms']:7.1f} ms | errors "
                      f"{rows[page][1]['errors'] + rows[page][64]['errors']}", flush=True)
            town = pages["municipality"].strip("/").split("/")[-1]
            search = search_page_latency(base, search_paths(town))
            print(f"{pages['articles']:>9,} articles search page over {search['queries']} queries: "
                  f"p50 {search['p50']} p95 {search['p95']} p99 {search['p99']} ms", flush=True)
            results[size] = {"pages": pages, "rows": rows, "search": search}
        finally:
            stop(server)

    small, large = (results[s] for s in SIZES)
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs (load average after: "
        f"{os.getloadavg()[0]:.1f}), PostgreSQL, `kohoshi serve` alone with the page cache off, wrk "
        f"{args.seconds} s per cell. Databases: bench/search's generator at {small['pages']['articles']:,} and "
        f"{large['pages']['articles']:,} articles. Article: the 10th of the newest issue.",
        "",
        "| page | articles | 1 conn req/s | 1 conn p50 / p99 ms | 64 conn req/s | 64 conn p50 / p99 ms | errors | 1M / 1,000 (1 conn req/s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in ("article", "issue", "municipality", "search"):
        for size, result in ((SIZES[0], small), (SIZES[1], large)):
            r = result["rows"][page]
            ratio = (f"{large['rows'][page][1]['rps'] / small['rows'][page][1]['rps']:.2f}×"
                     if size == SIZES[1] else "")
            lines.append(
                f"| {page} | {result['pages']['articles']:,} | {r[1]['rps']:.0f} | {r[1]['p50_ms']:.1f} / "
                f"{r[1]['p99_ms']:.1f} | {r[64]['rps']:.0f} | {r[64]['p50_ms']:.1f} / {r[64]['p99_ms']:.1f} | "
                f"{r[1]['errors'] + r[64]['errors']} | {ratio} |")
    lines += [
        "",
        f"The search page over bench/search's {small['search']['queries']} queries (its words, phrases, OR, exclusions "
        f"and filters, as the page's parameters), one reader on one connection, each query {REPEAT} times after a "
        "warming request:",
        "",
        "| articles | requests | p50 ms | p95 ms | p99 ms | statuses |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for size, result in ((SIZES[0], small), (SIZES[1], large)):
        r = result["search"]
        lines.append(f"| {result['pages']['articles']:,} | {r['n']} | {r['p50']} | {r['p95']} | {r['p99']} | "
                     f"{', '.join(map(str, r['statuses']))} |")
    table = "\n".join(lines) + "\n"
    print(table)
    (OUT / "large.json").write_text(json.dumps(
        {str(k): {"pages": v["pages"], "rows": {p: {str(c): {x: y for x, y in m.items() if x != "raw"}
                                                      for c, m in r.items()} for p, r in v["rows"].items()},
                  "search": v["search"]}
         for k, v in results.items()}, indent=1, ensure_ascii=False))
    if not args.no_docs:
        anchor = "<!-- bench/web/run.py: end -->"
        docs_section_write("bench/web/large.py", table, when_new=lambda text, block: text.replace(
            anchor, anchor + "\n\n### Uncached pages at 1M articles (PostgreSQL)\n\n"
            "`python -m bench.web.large` (see its docstring).\n\n" + block, 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
