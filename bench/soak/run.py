"""Soak test (issue 12): kohoshi served as in production on loopback, under a bounded mix of
article reads, searches and survey answers, while corpus CSVs are imported beside it.

    .venv/bin/python bench/soak/run.py --database sqlite --duration 300 --concurrency 8
    .venv/bin/python bench/soak/run.py --database postgres --duration 300 --concurrency 8 \
        [--postgres postgres://postgres@127.0.0.1:5432] [--db-name soak_kohoshi]

A fresh database each run (SQLite in a temporary KOHOSHI_DATA_DIR; PostgreSQL database
`soak_kohoshi`, dropped and re-created), `kohoshi migrate`, `kohoshi load_demo` (the 広報あつぎ
corpus from ../shared), then `kohoshi serve` (waitress + task worker) on 127.0.0.1 with
KOHOSHI_TRUSTED_PROXY=127.0.0.1: this script plays the TLS proxy and names each simulated
reader's address in X-Forwarded-For (127.1.x.y, loopback only), so the survey rate limit counts
per reader as it would in production; it is not raised. Every reader has its own cookie jar.

Checked afterwards, after the server was stopped with SIGTERM:
- no 5xx response and no failed request;
- every survey answer the server accepted (302 to thanks) is a SurveyResponse row (each answer
  carries a unique token in its comment), and no honeypot answer is;
- the views stored per article equal the article pages served to browsers (bot User-Agents are
  served but not counted);
- every import round exited 0 and the server log holds no traceback.
Results: bench/out/soak-<database>.json and one summary line on stdout. Every loop is bounded by
--duration; the import starts a round only while time remains.
"""
from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
OUT = REPO / "bench" / "out"
HOST = "127.0.0.1"

BROWSER_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SEARCH_WORDS = [
    "子育て", "ごみ", "図書館", "防災", "健診", "こそだて", "としょかん", "ぼうさい", "けんしん",
    "子育て 支援", "ごみ 収集", "防災訓練", "予防接種", "市民 募集", "あつぎ",
    # the query syntax (docs/search.md) and odd input a resident may type
    '"子育て支援"', "ごみ OR 防災", "図書館 -休館", "あ", "ア", "１２３", "健診" * 40, "%_\\'", "",
]
COMMENTS = ["わかりやすかったです。", "字をもう少し大きくしてほしい。", "参加したいと思います。", ""]
# Share of operations: article reads (one in ten by a crawler), other pages (front page, issues,
# newsletter, feed, sitemap), searches, survey answers.
MIX = [("read", 55), ("page", 10), ("search", 22), ("survey", 13)]
READER_OPS = 25  # a simulated reader does this many operations, then a new reader arrives

SNAPSHOT = r"""
import json
import django
django.setup()
from django.db.models import Sum
from kohoshi.engagement.models import ArticleDailyViews, SurveyResponse
from kohoshi.newsletters.models import Article, Issue, Newsletter
articles = [
    {"pk": a.pk, "url": a.get_absolute_url()}
    for a in Article.objects.published().with_place().filter(issue__newsletter__municipality_id="142123")
]
views = {str(r["article_id"]): r["n"] for r in ArticleDailyViews.objects.values("article_id").annotate(n=Sum("views"))}
pages = ["/", "/sitemap.xml"] + [n.get_absolute_url() for n in Newsletter.objects.filter(municipality_id="142123")]
pages += [i.get_absolute_url() for i in Issue.objects.published().filter(newsletter__municipality_id="142123").select_related("newsletter")]
print(json.dumps({
    "articles": articles,
    "pages": pages,
    "article_count": Article.objects.count(),
    "views": views,
    "survey_rows": SurveyResponse.objects.count(),
    "survey_comments": list(SurveyResponse.objects.exclude(comment="").values_list("comment", flat=True)),
}, ensure_ascii=False))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.status = defaultdict(Counter)  # kind -> status -> n
        self.latency = defaultdict(list)  # kind -> seconds
        self.failures = Counter()  # kind:exception -> n
        self.views_expected = Counter()  # article pk -> views that must be stored
        self.answers_accepted: list[str] = []
        self.spam_tokens: list[str] = []
        self.survey_outcomes = Counter()

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.status[kind][status] += 1
            self.latency[kind].append(seconds)


class Reader:
    """One simulated resident: own cookies, own address (as the proxy reports it)."""

    def __init__(self, port: int, address: str):
        self.port = port
        self.address = address
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.answered: set[int] = set()

    def request(self, method: str, path: str, *, body: dict | None = None, ua: str = BROWSER_UA):
        headers = {
            "User-Agent": ua,
            "Accept-Language": "ja",
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "http",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
            headers["Origin"] = f"http://{HOST}:{self.port}"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed while idle: safe to retry once only
                # when nothing could have been processed (a GET); a POST is reported as failed.
                self.close()
                if attempt == 2 or method != "GET":
                    raise
                continue
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, text, response
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def survey_fields(html: str) -> tuple[str, dict[str, list[str]]]:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    radios: dict[str, list[str]] = defaultdict(list)
    for name, value in re.findall(r'<input type="radio" name="([^"]+)" id="[^"]*" value="([^"]*)"', html):
        radios[name].append(value)
    return (token.group(1) if token else ""), radios


def worker(index: int, port: int, articles: list[dict], pages: list[str], deadline: float, stats: Stats, seed: int) -> None:
    rng = random.Random(seed * 1000 + index)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    readers = 0
    while time.monotonic() < deadline:
        readers += 1
        reader = Reader(port, f"127.1.{index}.{readers % 250 + 1}" if readers < 250 else f"127.{2 + readers // 250}.{index}.{readers % 250 + 1}")
        for _ in range(READER_OPS):
            if time.monotonic() >= deadline:
                break
            kind = rng.choices(kinds, weights)[0]
            try:
                if kind == "read":
                    article = rng.choice(articles)
                    bot = rng.random() < 0.1
                    kind = "read (crawler)" if bot else "read"
                    started = time.perf_counter()
                    status, _, _ = reader.request("GET", article["url"], ua=BOT_UA if bot else BROWSER_UA)
                    stats.record(kind, status, time.perf_counter() - started)
                    if status == 200 and not bot:
                        with stats.lock:
                            stats.views_expected[article["pk"]] += 1
                elif kind == "page":
                    started = time.perf_counter()
                    status, _, _ = reader.request("GET", rng.choice(pages))
                    stats.record(kind, status, time.perf_counter() - started)
                elif kind == "search":
                    q = rng.choice(SEARCH_WORDS)
                    page = "&page=2" if rng.random() < 0.2 else ""
                    started = time.perf_counter()
                    status, _, _ = reader.request("GET", f"/search/?q={urllib.parse.quote(q)}{page}")
                    stats.record(kind, status, time.perf_counter() - started)
                else:
                    survey_answer(reader, rng, articles, stats)
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                reader.close()
                with stats.lock:
                    stats.failures[f"{kind}: {type(exc).__name__}: {exc}"] += 1
        reader.close()


def survey_answer(reader: Reader, rng: random.Random, articles: list[dict], stats: Stats) -> None:
    article = rng.choice([a for a in articles if a["pk"] not in reader.answered] or articles)
    path = f"/survey/a/{article['pk']}/"
    started = time.perf_counter()
    status, html, _ = reader.request("GET", path)
    stats.record("survey form", status, time.perf_counter() - started)
    if status != 200:
        return
    token, radios = survey_fields(html)
    if not token or not radios:
        with stats.lock:
            stats.survey_outcomes["form without fields"] += 1
        return
    spam = rng.random() < 0.03
    mark = f"soak-{reader.address}-{article['pk']}-{rng.getrandbits(48):012x}"
    body = {"csrfmiddlewaretoken": token, "comment": f"{rng.choice(COMMENTS)} [{mark}]", "website": ""}
    for name, values in radios.items():
        body[name] = rng.choice(values)
    if spam:
        body["website"] = "http://spam.invalid/"
    started = time.perf_counter()
    status, _, response = reader.request("POST", path, body=body)
    stats.record("survey post", status, time.perf_counter() - started)
    location = response.headers.get("Location", "")
    with stats.lock:
        if status == 302 and location.endswith("/thanks/"):
            if spam:
                stats.spam_tokens.append(mark)
                stats.survey_outcomes["honeypot (must not be stored)"] += 1
            else:
                stats.answers_accepted.append(mark)
                stats.survey_outcomes["accepted"] += 1
                reader.answered.add(article["pk"])
        elif status == 429:
            stats.survey_outcomes["rate-limited (429)"] += 1
        else:
            stats.survey_outcomes[f"other ({status})"] += 1


def import_copy(src_files: list[Path], dest: Path, *, round_no: int, municipality: str) -> list[Path]:
    """The corpus files with a changed body (and, on even rounds, another municipality), so that
    every round really writes."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for src in src_files:
        with open(src, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        for row in rows[1:]:
            if municipality:
                row[0] = municipality
            row[5] = f"{row[5]}\n\n（ソーク試験 第{round_no}回の取り込みで更新）"
        # The code in the file name wins over the 自治体名 column: drop it for another municipality.
        target = dest / (re.sub(r"^\d{6}_", "", src.name) if municipality else src.name)
        with open(target, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(rows)
        out.append(target)
    return out


def importer(env: dict, corpus: list[Path], workdir: Path, deadline: float, results: list[dict]) -> None:
    round_no = 0
    while time.monotonic() < deadline - 45:  # a round takes ~10-40 s; do not start one near the end
        round_no += 1
        municipality = "神奈川県海老名市" if round_no % 2 else ""
        files = import_copy(corpus, workdir / f"round{round_no}", round_no=round_no, municipality=municipality)
        started = time.perf_counter()
        proc = subprocess.run(
            [str(BIN / "kohoshi"), "import_csv", *map(str, files), "--credit", f"ソーク試験 第{round_no}回"],
            env=env, capture_output=True, text=True, timeout=600,
        )
        try:
            outcomes = json.loads(proc.stdout)["outcomes"]
        except (ValueError, KeyError):
            outcomes = {}
        results.append({
            "round": round_no,
            "municipality": municipality or "神奈川県厚木市",
            "seconds": round(time.perf_counter() - started, 1),
            "returncode": proc.returncode,
            "outcomes": outcomes,
            "stderr": proc.stderr[-2000:],
        })


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, **kw)


def snapshot(env: dict) -> dict:
    return json.loads(run([str(BIN / "python"), "-c", SNAPSHOT], env).stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--duration", type=int, default=300, help="seconds of load (default 300)")
    parser.add_argument("--concurrency", type=int, default=8, help="simulated readers at a time")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (kohoshi serve default)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db-name", default="soak_kohoshi")
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--seed", type=int, default=20241204)
    args = parser.parse_args()
    if urllib.parse.urlparse(args.postgres).hostname not in ("127.0.0.1", "localhost"):
        parser.error("the soak runs on loopback only")

    work = Path(tempfile.mkdtemp(prefix="kohoshi-soak-"))
    env = {
        **os.environ,
        "KOHOSHI_DATA_DIR": str(work / "data"),
        "KOHOSHI_ALLOWED_HOSTS": HOST,
        "KOHOSHI_TRUSTED_PROXY": HOST,
        "DJANGO_SETTINGS_MODULE": "kohoshi.settings",
    }
    env.pop("DATABASE_URL", None)
    (work / "data").mkdir()
    pg_host = urllib.parse.urlparse(args.postgres)
    if args.database == "postgres":
        env["DATABASE_URL"] = f"{args.postgres.rstrip('/')}/{args.db_name}"
        pg = ["-h", pg_host.hostname, "-p", str(pg_host.port or 5432), "-U", pg_host.username or "postgres"]
        subprocess.run(["dropdb", "--if-exists", *pg, args.db_name], check=True)
        subprocess.run(["createdb", *pg, args.db_name], check=True)

    print(f"soak: {args.database}, data in {work}", flush=True)
    run([str(BIN / "kohoshi"), "migrate", "--no-input"], env)
    run([str(BIN / "kohoshi"), "load_demo", "--shared", args.shared], env, timeout=600)
    before = snapshot(env)
    articles = before["articles"]
    corpus = sorted((Path(args.shared) / "corpus" / "municipal-bulletin" / "csv").glob("*.csv"))
    print(f"soak: {len(articles)} articles of 広報あつぎ, {len(corpus)} corpus files", flush=True)

    port = free_port()
    log = open(work / "serve.log", "w")
    server = subprocess.Popen(
        [str(BIN / "kohoshi"), "serve", "--port", str(port), "--threads", str(args.threads)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        for _ in range(120):
            try:
                status, _, _ = Reader(port, "127.1.0.1").request("GET", "/")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit("soak: the server did not start; see " + str(work / "serve.log"))

        stats = Stats()
        imports: list[dict] = []
        started = time.monotonic()
        deadline = started + args.duration
        threads = [
            threading.Thread(target=worker, args=(i, port, articles, before["pages"], deadline, stats, args.seed))
            for i in range(args.concurrency)
        ]
        threads.append(threading.Thread(target=importer, args=(env, corpus, work / "imports", deadline, imports)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        # A graceful stop as a process manager may do it: SIGTERM to the server process alone. It
        # must stop its task worker itself (whatever either buffered is written by then).
        server.send_signal(signal.SIGTERM)
        try:
            server_exit = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server_exit = "timeout"
        try:
            os.killpg(server.pid, 0)
            leftover = True  # e.g. the db_worker, orphaned
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            leftover = False
        server.wait()
        log.close()

    after = snapshot(env)
    server_log = (work / "serve.log").read_text(errors="replace")

    stored_views = Counter({int(k): v for k, v in after["views"].items()})
    base_views = Counter({int(k): v for k, v in before["views"].items()})
    new_views = stored_views - base_views
    view_diff = {
        pk: (stats.views_expected[pk], new_views[pk])
        for pk in set(stats.views_expected) | set(new_views)
        if stats.views_expected[pk] != new_views[pk]
    }
    stored_comments = set()
    for comment in after["survey_comments"]:
        m = re.search(r"\[(soak-[^\]]+)\]", comment)
        if m:
            stored_comments.add(m.group(1))
    lost_answers = [t for t in stats.answers_accepted if t not in stored_comments]
    stored_spam = [t for t in stats.spam_tokens if t in stored_comments]

    requests = {kind: sum(c.values()) for kind, c in stats.status.items()}
    errors_5xx = sum(n for c in stats.status.values() for s, n in c.items() if s >= 500)
    result = {
        "database": args.database,
        "duration_s": round(elapsed, 1),
        "concurrency": args.concurrency,
        "waitress_threads": args.threads,
        "seed": args.seed,
        "requests": requests,
        "requests_total": sum(requests.values()),
        "status": {kind: dict(sorted(c.items())) for kind, c in stats.status.items()},
        "latency_ms": {
            kind: {p: round(percentile(v, q) * 1000, 1) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))}
            for kind, v in stats.latency.items()
        },
        "errors_5xx": errors_5xx,
        "failed_requests": dict(stats.failures),
        "survey": dict(stats.survey_outcomes),
        "survey_rows_added": after["survey_rows"] - before["survey_rows"],
        "answers_accepted": len(stats.answers_accepted),
        "answers_lost": len(lost_answers),
        "honeypot_stored": len(stored_spam),
        "views_sent_counted": sum(stats.views_expected.values()),
        "views_stored_added": sum(new_views.values()),
        "views_mismatched_articles": len(view_diff),
        "articles_before_after": [before["article_count"], after["article_count"]],
        "imports": imports,
        "server_tracebacks": server_log.count("Traceback"),
        "server_exit_on_sigterm": server_exit,
        "processes_left_after_sigterm": leftover,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"soak-{args.database}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k not in ("imports", "status")}, ensure_ascii=False, indent=1))
    print("imports:", [(i["round"], i["municipality"], i["seconds"], i["returncode"], i["outcomes"]) for i in imports])
    ok = (
        errors_5xx == 0 and not stats.failures and not lost_answers and not stored_spam and not view_diff
        and all(i["returncode"] == 0 for i in imports) and imports and not server_log.count("Traceback")
        and server_exit == 0 and not leftover
    )
    if not ok:
        shutil.copy(work / "serve.log", OUT / f"soak-{args.database}-serve.log")
    print("soak:", "PASS" if ok else "FAIL", flush=True)
    if args.database == "postgres":
        subprocess.run(["dropdb", "--if-exists", *pg, args.db_name], check=False)
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
