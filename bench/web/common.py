"""Shared pieces of the web benchmarks: wrk runs (JSON through wrk_report.lua), servers started
and stopped as process groups, and the corpus database the benchmarks serve."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
OUT = REPO / "bench" / "out" / "web"
HOST = "127.0.0.1"
LUA = Path(__file__).with_name("wrk_report.lua")
# A phone browser: the article view is counted (bots are served but not counted).
BROWSER_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
# The article: 広報あつぎ 第1446号 (2025-05-01), position 10.
ARTICLE = {"municipality": "142123", "issue": "2025-05-01", "position": 10}


def free_port_in(start: int, end: int) -> int:
    for port in range(start, end):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {start}-{end}")


def connections_per_process(port: int) -> list[int]:
    """How many established connections to `port` each server process holds, most first (`ss`).

    granian's workers each listen on the port with SO_REUSEPORT, and the kernel places a new
    connection by a hash of its addresses: wrk's 64 keep-alive connections split by chance
    (39/25 as often as 32/32), and a worker's requests wait in proportion to its share."""
    out = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True).stdout
    return sorted(Counter(re.findall(r"pid=(\d+),", out)).values(), reverse=True)


def wrk(url: str, *, connections: int, seconds: int, threads: int = 2, header: str = "") -> dict:
    env = dict(os.environ, WRK_USER_AGENT=BROWSER_UA, WRK_HEADER=header)
    cmd = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{seconds}s",
           "--timeout", "10s", "-s", str(LUA), url]
    split: list[int] = []
    sample = threading.Timer(min(2.0, seconds / 3), lambda: split.extend(
        connections_per_process(urllib.parse.urlsplit(url).port or 80)))
    sample.start()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60).stdout
    sample.join()
    line = next(l for l in out.splitlines() if l.startswith("WRKJSON "))
    raw = json.loads(line[len("WRKJSON "):])
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": errors,
        "requests": raw["requests"],
        "split": split,
        "raw": raw,
    }


def wait_http(url: str, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer: {last}")


def start(cmd: list[str], *, env: dict, log: Path, cwd: Path | None = None) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def kohoshi_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    env.update(KOHOSHI_DATA_DIR=str(data_dir), KOHOSHI_TASKS="immediate", DJANGO_SETTINGS_MODULE="kohoshi.settings")
    env.update(extra)
    return env


def kohoshi_data(data_dir: Path, shared: str, env: dict) -> str:
    """Migrate and load the demo corpus into `data_dir` once; returns the article's path."""
    marker = data_dir / ".loaded"
    if not marker.exists():
        # Furigana and audio are queued (db backend) for a worker that the bench never runs:
        # `immediate` would read every article aloud inside load_demo, for nothing served here.
        env = {**env, "KOHOSHI_TASKS": "db"}
        subprocess.run([str(BIN / "kohoshi"), "migrate", "-v0"], env=env, check=True)
        subprocess.run([str(BIN / "kohoshi"), "collectstatic", "--no-input", "-v0"], env=env, check=True)
        subprocess.run([str(BIN / "kohoshi"), "load_demo", "--shared", shared], env=env, check=True,
                       capture_output=True)
        marker.write_text("ok")
    code = (
        "import django; django.setup()\n"
        "from kohoshi.newsletters.models import Article\n"
        f"a = Article.objects.published().get(issue__slug={ARTICLE['issue']!r}, "
        f"issue__newsletter__municipality_id={ARTICLE['municipality']!r}, position={ARTICLE['position']})\n"
        "print(a.get_absolute_url())\n"
    )
    return subprocess.run([str(BIN / "python"), "-c", code], env=env, check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]


def docs_section_write(name: str, table: str, *, when_new) -> None:
    """Put `table` between the markers "<!-- {name}: start/end -->" of docs/benchmarks.md;
    where they are not there yet, `when_new(text, block)` places the marked block."""
    docs = REPO / "docs" / "benchmarks.md"
    text = docs.read_text()
    start_marker, end_marker = f"<!-- {name}: start -->", f"<!-- {name}: end -->"
    block = f"{start_marker}\n{table}{end_marker}"
    if start_marker in text:
        before, rest = text.split(start_marker, 1)
        text = before + block + rest.split(end_marker, 1)[1]
    else:
        text = when_new(text, block)
    docs.write_text(text)
