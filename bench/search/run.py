"""Search benchmark: index build rate and query latency at 100k / 1M articles, next to a naive
LIKE '%q%' scan and (on SQLite) an FTS5 trigram index over the same text.

    python -m bench.search.run --size 100000                 # SQLite file in bench/out/
    python -m bench.search.run --size 100000 --postgres postgres://postgres@127.0.0.1:5432/test

    python -m bench.search.run --size 1000000 --generate-only  # the corpus only
    python -m bench.search.run --size 1000000 --reuse-index    # queries again, same index
    bench/search/run-1m.sh                                      # both 1M runs, one after the other

"engine" is the index query and the ranking of its candidates (search.services._matching_ids:
count + the first page's ids); "page" is the whole search_articles call (articles, snippets).
The corpus is made by recombining sentences of the Atsugi newsletter corpus (../shared/corpus)
with a recorded random seed, spread over 50 municipalities and ten years of issues. Results are
printed as a Markdown table and saved in bench/out/search-<backend>-<size>.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone as dt_timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "municipal-bulletin" / "csv"
OUT = REPO / "bench" / "out"

QUERIES = [
    # 1 character
    "市", "町", "費", "税", "犬",
    # 2 characters
    "防災", "健診", "ごみ", "介護", "救急", "医療", "保育", "消防", "手話", "選挙", "図書", "子育", "相談", "講座", "公園",
    # compounds and long words
    "子育て支援", "マイナンバーカード", "放課後児童クラブ", "感震ブレーカー", "国民健康保険", "カーボンニュートラル",
    "子育て支援医療費助成制度", "熱中症特別警戒アラート", "移動図書館", "産後ケア", "市民文化祭", "予防接種",
    # several words, spelling variants
    "子ども 医療費", "こども 医療費", "高齢者 外出", "ＰＲＩＤＥ", "ゴミ 収集", "図書館 子ども", "防災 訓練 参加",
    # phrases, OR, exclusion
    '"市民文化祭"', '"移動図書館"', '"健康保険証"', "ワクチン OR 予防接種", "マイナンバーカード -郵便局", "防災 -訓練",
    "講座 OR 教室 子ども",
]
# (query, filters) pairs
FILTERED = [
    ("防災", {"prefecture": "14"}),
    ("子育て", {"municipality": None}),  # filled with a real code
    ("市", {"date_from": date(2020, 1, 1), "date_to": date(2020, 12, 31)}),
    ("医療費", {"category": "kurashi"}),
    ("ごみ", {"prefecture": "13", "date_from": date(2022, 1, 1)}),
    ("図書館", {"order": "newest"}),
]
REPEAT = 5


def sentences():
    out, titles = [], []
    for path in sorted(CORPUS.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                titles.append(row["記事タイトル"])
                for line in row["記事本文"].splitlines():
                    for s in re.split(r"(?<=。)", line):
                        if len(s.strip()) >= 4:
                            out.append(s.strip())
    return out, titles


def setup_django(args):
    if args.postgres:
        import psycopg

        base = args.postgres.rsplit("/", 1)[0]
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.dbname]).fetchone():
                conn.execute(f'CREATE DATABASE "{args.dbname}"')
        os.environ["DATABASE_URL"] = f"{base}/{args.dbname}"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["KOHOSHI_DATA_DIR"] = str(OUT / f"search-{args.size}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohoshi.settings")
    os.environ.setdefault("KOHOSHI_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(args):
    """Bench data goes straight in with bulk_create: it is the index we measure, not the importer."""
    from django.db import transaction

    from kohoshi.newsletters.formatting import plain_text
    from kohoshi.newsletters.models import Article, Category, Issue, Newsletter
    from kohoshi.places.models import Municipality

    existing = Article.objects.count()
    if existing >= args.size:
        print(f"corpus: {existing} articles already there", file=sys.stderr)
        return
    if existing:
        raise SystemExit(f"{existing} articles in the bench database but {args.size} wanted: remove {OUT}/search-{args.size} or the database")
    rng = random.Random(args.seed)
    pool, titles = sentences()
    towns = list(Municipality.objects.municipalities().order_by("code"))
    towns = rng.sample(towns, 50)
    categories = list(Category.objects.all())
    per_issue = 25
    n_issues = -(-args.size // per_issue)
    published_at = datetime(2015, 1, 1, tzinfo=dt_timezone.utc)
    newsletters = [Newsletter.objects.get_or_create(municipality=t, slug="koho", defaults={"title": f"広報{t.name}"})[0] for t in towns]
    made = 0
    t0 = time.time()
    batch = []
    with transaction.atomic():
        for i in range(n_issues):
            nl = newsletters[i % len(newsletters)]
            day = date(2015, 1, 1) + timedelta(days=(i * 3653) // n_issues)
            issue = Issue.objects.create(
                newsletter=nl, title=f"{nl.title} {day:%Y年%m月}号 {i}", slug=f"i{i}", published_on=day,
                status=Issue.Status.PUBLISHED, published_at=published_at,
            )
            for pos in range(1, per_issue + 1):
                if made >= args.size:
                    break
                body = "\n".join(rng.choice(pool) for _ in range(rng.randint(3, 14)))
                batch.append(Article(
                    issue=issue, number=pos, position=pos, title=rng.choice(titles), category=rng.choice(categories),
                    body_source=body, body_html="", body_text=plain_text(body),
                ))
                made += 1
            if len(batch) >= 5000:
                Article.objects.bulk_create(batch)
                batch = []
                print(f"\rgenerated {made}", end="", file=sys.stderr)
        Article.objects.bulk_create(batch)
    print(f"\rgenerated {made} articles in {time.time() - t0:.0f} s", file=sys.stderr)


def rebuild(args) -> dict:
    """The real command in a child process, so its peak memory (and its workers') is its own."""
    t0 = time.time()
    subprocess.run(
        [sys.executable, "-m", "kohoshi", "rebuild_search_index", "--no-progress", "--verbosity", "0"],
        check=True, env=os.environ,
    )
    seconds = time.time() - t0
    from kohoshi.search.models import SearchDocument

    n = SearchDocument.objects.count()
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"articles": n, "seconds": round(seconds, 1), "rate": round(n / seconds), "peak_rss_mb": round(peak_kb / 1024)}


def percentiles(samples):
    s = sorted(samples)
    pick = lambda p: s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] * 1000  # noqa: E731
    return {"p50": round(pick(50), 1), "p95": round(pick(95), 1), "p99": round(pick(99), 1), "n": len(s)}


def measure(fn, runs):
    times = []
    for args in runs:
        fn(*args)  # warm
        for _ in range(REPEAT):
            t = time.perf_counter()
            fn(*args)
            times.append(time.perf_counter() - t)
    return percentiles(times)


def query_runs():
    from kohoshi.places.models import Municipality
    from kohoshi.search.services import SearchFilters

    town = Municipality.objects.filter(newsletters__isnull=False).order_by("code").first()
    runs = [(q, SearchFilters(), "relevance") for q in QUERIES]
    for q, f in FILTERED:
        f = dict(f)
        order = f.pop("order", "relevance")
        if "municipality" in f:
            f["municipality"] = town.code
        runs.append((q, SearchFilters(**f), order))
    return runs


def first_word(q):
    from kohoshi.search.query import normalize_query

    words = [w.strip('"') for w in normalize_query(q).split() if not w.startswith("-") and w != "OR"]
    return words[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240415)
    parser.add_argument("--postgres", help="server URL; the bench uses its own database on it")
    parser.add_argument("--dbname", default=None)
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--generate-only", action="store_true", help="make the corpus and stop (no index, no queries)")
    parser.add_argument("--reuse-index", action="store_true", help="keep the index of the last run (and its build numbers)")
    args = parser.parse_args()
    args.dbname = args.dbname or f"kohoshi_bench_search_{args.size}"
    OUT.mkdir(parents=True, exist_ok=True)
    setup_django(args)
    generate(args)
    if args.generate_only:
        return

    from django.db import connection
    from django.utils import timezone

    from kohoshi.search import query as query_language
    from kohoshi.search.backends.common import Criteria
    from kohoshi.search.services import _criteria, _matching_ids, search_articles

    result = {"backend": connection.vendor, "size": args.size, "seed": args.seed, "queries": len(QUERIES) + len(FILTERED)}
    path = OUT / f"search-{connection.vendor}-{args.size}.json"
    if args.reuse_index and path.exists():
        result["index"] = json.loads(path.read_text())["index"]
    else:
        print("rebuilding the index…", file=sys.stderr)
        result["index"] = rebuild(args)
    print(result["index"], file=sys.stderr)
    runs = query_runs()
    now = timezone.now()

    def engine(q, filters, order):
        criteria = _criteria(filters, now) or Criteria(now=now)
        _matching_ids(query_language.parse(q), criteria, order=order, offset=0, limit=20)

    def page(q, filters, order):
        search_articles(q, filters=filters, order=order)

    result["engine"] = measure(engine, runs)
    print("engine", result["engine"], file=sys.stderr)
    result["page"] = measure(page, runs)
    print("page", result["page"], file=sys.stderr)
    by_kind = {}
    for label, sl in (("1-char", slice(0, 5)), ("2-char", slice(5, 20)), ("compound", slice(20, 32)),
                      ("multi-word", slice(32, 39)), ("phrase/OR/NOT", slice(39, 46)), ("filtered", slice(46, None))):
        by_kind[label] = measure(engine, runs[sl])
    result["engine_by_kind"] = by_kind
    if not args.skip_baselines:
        result.update(baselines(runs, connection))
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))


def baselines(runs, connection) -> dict:
    """LIKE '%word%' over the article bodies; on SQLite also an FTS5 trigram index on them.

    Both look for the first word of each query only (no analysis, no phrases or exclusions),
    which flatters them: they do less than the real search.
    """
    from django.db import transaction

    out = {}
    words = [first_word(q) for q, _, _ in runs]
    like_runs = [(w,) for w in words]

    def like(word):
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM newsletters_article WHERE body_source LIKE %s", [f"%{word}%"])
            c.fetchone()
            c.execute("SELECT id FROM newsletters_article WHERE body_source LIKE %s LIMIT 20", [f"%{word}%"])
            c.fetchall()

    global REPEAT
    saved, REPEAT = REPEAT, 1  # a full scan per query: once is enough to know
    out["like"] = measure(like, like_runs)
    print("like", out["like"], file=sys.stderr)
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'bench_trigram'")
            exists = c.fetchone()[0]
        if not exists:
            t0 = time.time()
            with transaction.atomic(), connection.cursor() as c:
                c.execute("CREATE VIRTUAL TABLE bench_trigram USING fts5(body, tokenize='trigram', detail=none)")
                c.execute("INSERT INTO bench_trigram(rowid, body) SELECT id, body_source FROM newsletters_article")
            out["trigram_build_seconds"] = round(time.time() - t0, 1)

        def trigram(word):
            # ≥3 characters use the index; 1–2 characters cannot, and fall back to a scan of it.
            with connection.cursor() as c:
                c.execute("SELECT count(*) FROM bench_trigram WHERE body LIKE %s", [f"%{word}%"])
                c.fetchone()
                c.execute("SELECT rowid FROM bench_trigram WHERE body LIKE %s LIMIT 20", [f"%{word}%"])
                c.fetchall()

        out["trigram"] = measure(trigram, like_runs)
        out["trigram_long_only"] = measure(trigram, [(w,) for w in words if len(w) >= 3])
        print("trigram", out["trigram"], file=sys.stderr)
    REPEAT = saved
    return out


if __name__ == "__main__":
    main()
