"""Readers on SQLite while a large import runs: no 500, no refused survey answer, no lost view.

Everything runs as in production: a file database (WAL), `kohoshi serve` (waitress) in its own
process and `kohoshi import_csv` in another, readers over HTTP from threads here.
"""
import csv
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from urllib.parse import urlsplit

import pytest
from django.db import connection

from conftest import CORPUS_CSV

pytestmark = [
    pytest.mark.heavy,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite writer lock is what is tested"),
]
SURVEY_LINK = re.compile(r'href="(/[^"]*/a/\d+/)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BROWSER = "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36"


def _kohoshi(*args, env, **kwargs):
    return subprocess.run([sys.executable, "-m", "kohoshi", *args], env=env, check=True, capture_output=True, text=True, **kwargs)


def _large_csv(path, *, issues: int) -> None:
    """`issues` issues of about 40 articles each, made of the corpus' real articles."""
    rows = []
    for file in sorted(CORPUS_CSV.glob("*.csv"))[:3]:
        with file.open(encoding="utf-8-sig", newline="") as fh:
            rows += list(csv.DictReader(fh))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        for n in range(issues):
            month, day = 1 + n // 28 % 12, 1 + n % 28
            for row in rows[(n * 40) % max(1, len(rows) - 40) :][:40]:
                writer.writerow(
                    row | {"公開年月": f"2030.{month:02d}.{day:02d}", "発行号タイトル": f"広報あつぎ 第{5000 + n}号"}
                )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _open(opener, url, data=None) -> tuple[int, str]:
    try:
        with opener.open(url, data=data, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def test_readers_and_survey_answers_get_no_error_while_a_large_import_runs(tmp_path, corpus_csv_files):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # The production task backend (db): the import queues furigana and audio for a worker, which
    # does not run here. With `immediate` the import itself would read 1,200 articles aloud.
    env |= {"KOHOSHI_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "kohoshi.settings", "KOHOSHI_TASKS": "db"}
    _kohoshi("migrate", "--no-input", env=env)
    first = json.loads(_kohoshi("import_csv", str(corpus_csv_files[0]), env=env).stdout)
    paths = [urlsplit(url).path for url in first["article_urls"]][:20]
    big = tmp_path / "large.csv"
    _large_csv(big, issues=30)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "kohoshi", "serve", "--no-worker", "--port", str(port), "--threads", "8"],
        # A file, not a pipe: the server logs every request (JSON lines), and a pipe nobody reads
        # until the end fills up and blocks the server's logging.
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "serve-stderr.txt").open("w"),
    )
    importer = None
    try:
        for _ in range(300):  # serve collects static files first
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        importer = subprocess.Popen(
            [sys.executable, "-m", "kohoshi", "import_csv", str(big)], env=env, stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "import-stderr.txt").open("w"),  # a file: a full pipe would block the import
        )
        deadline = time.monotonic() + 900
        statuses: Counter[int] = Counter()
        survey_statuses: Counter[int] = Counter()
        slowest = [0.0]
        slowest_answer = [0.0]
        viewed: Counter[str] = Counter()
        lock = threading.Lock()

        def read(n: int) -> None:
            opener = urllib.request.build_opener()
            opener.addheaders = [("User-Agent", BROWSER)]
            i = n
            while importer.poll() is None and time.monotonic() < deadline:
                path = paths[i % len(paths)]
                i += 1
                started = time.monotonic()
                status, _ = _open(opener, base + path)
                with lock:
                    statuses[status] += 1
                    slowest[0] = max(slowest[0], time.monotonic() - started)
                    if status == 200:
                        viewed[path] += 1

        def answer(n: int) -> None:
            time.sleep(1 + n)  # spread over the import
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
            opener.addheaders = [("User-Agent", BROWSER)]
            status, page = _open(opener, base + paths[n])
            with lock:
                statuses[status] += 1
                viewed[paths[n]] += status == 200
            survey = base + SURVEY_LINK.search(page).group(1)
            status, form = _open(opener, survey)
            data = {"csrfmiddlewaretoken": TOKEN.search(form).group(1), "helpful": "役に立った", "clarity": "わかりやすかった", "comment": f"r{n}"}
            started = time.monotonic()
            status, page = _open(opener, survey, urllib.parse.urlencode(data).encode())
            with lock:
                survey_statuses[status] += 1
                slowest_answer[0] = max(slowest_answer[0], time.monotonic() - started)

        threads = [threading.Thread(target=read, args=(n,)) for n in range(6)]
        threads += [threading.Thread(target=answer, args=(n,)) for n in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert importer.poll() == 0, (tmp_path / "import-stderr.txt").read_text()[-5000:]
    finally:
        if importer is not None and importer.poll() is None:
            importer.kill()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    print(
        f"reads: {dict(statuses)}, surveys: {dict(survey_statuses)}, slowest read: {slowest[0]:.2f} s, "
        f"slowest answer: {slowest_answer[0]:.2f} s"
    )
    assert sum(statuses.values()) > 50
    errors = (tmp_path / "serve-stderr.txt").read_text()  # the whole log, for a failure's traceback
    errors = errors[-5000:]
    assert statuses == Counter({200: sum(statuses.values())}), errors
    assert survey_statuses == Counter({200: 5}), errors  # the thank-you page after the redirect
    assert slowest[0] < 5

    # Every counted view reached the database, the last ones on the server's shutdown.
    with sqlite3.connect(tmp_path / "data" / "kohoshi.sqlite3") as db:
        stored = db.execute("SELECT SUM(views) FROM engagement_articledailyviews").fetchone()[0]
        answers = db.execute("SELECT COUNT(*) FROM engagement_surveyresponse").fetchone()[0]
    assert stored == sum(viewed.values())
    assert answers == 5
