"""Which application server should `kohoshi serve` run? Side by side in one run, on this machine's
cores, wrk at 1 and 64 connections on the issue's article page (広報あつぎ 第1446号, position 10),
SQLite with the demo corpus, no page cache (every request renders the page).

    .venv/bin/python -m bench.web.servers [--seconds 8] [--shared ../shared]

Needs the candidates in .venv (gunicorn, granian and uvicorn are kohoshi's dependencies or
installed with `pip install granian uvicorn`). Prints a Markdown table and writes
bench/out/web/servers.json.
"""
from __future__ import annotations

import argparse
import json
import os
import time

from .common import BIN, HOST, OUT, free_port_in, kohoshi_data, kohoshi_env, start, stop, wait_http, wrk

CPUS = os.cpu_count() or 1


def candidates(port: int) -> dict[str, list[str]]:
    bind = f"{HOST}:{port}"
    app = "kohoshi.wsgi:application"
    return {
        "waitress 8 threads (kohoshi serve until now)": [
            str(BIN / "kohoshi"), "serve", "--no-worker", "--port", str(port), "--server", "waitress",
            "--workers", "1", "--threads", "8"],
        f"gunicorn sync, {2 * CPUS + 1} workers": [
            str(BIN / "gunicorn"), app, "-k", "sync", "-w", str(2 * CPUS + 1), "-b", bind, "--log-level", "warning"],
        f"gunicorn gthread, {CPUS} workers x 4 threads": [
            str(BIN / "gunicorn"), app, "-k", "gthread", "-w", str(CPUS), "--threads", "4", "-b", bind,
            "--log-level", "warning"],
        f"granian WSGI, {CPUS} workers": [
            str(BIN / "granian"), "--interface", "wsgi", "--workers", str(CPUS), "--host", HOST, "--port", str(port),
            "--log-level", "warning", app],
        f"granian WSGI, {CPUS} workers x 4 blocking threads": [
            str(BIN / "granian"), "--interface", "wsgi", "--workers", str(CPUS), "--blocking-threads", "4",
            "--host", HOST, "--port", str(port), "--log-level", "warning", app],
        f"gunicorn sync, {CPUS + 1} workers": [
            str(BIN / "gunicorn"), app, "-k", "sync", "-w", str(CPUS + 1), "-b", bind, "--log-level", "warning"],
        f"uvicorn ASGI, {CPUS} workers": [
            str(BIN / "uvicorn"), "kohoshi.asgi:application", "--workers", str(CPUS), "--host", HOST, "--port",
            str(port), "--log-level", "warning", "--no-access-log"],
    }


def median_run(rs: list[dict]) -> dict:
    """The run with the median req/s; errors summed over all runs."""
    ordered = sorted(rs, key=lambda r: r["rps"])
    return {**ordered[len(ordered) // 2], "errors": sum(r["errors"] for r in rs), "all_rps": [r["rps"] for r in rs]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--shared", default=str(OUT.parents[2].parent / "shared"))
    parser.add_argument("--only", default="", help="run only candidates whose name contains one of these "
                                                    "(comma-separated)")
    parser.add_argument("--rounds", type=int, default=3, help="every candidate once per round; medians reported")
    args = parser.parse_args()
    data = OUT / "data-servers"
    env = kohoshi_env(data, KOHOSHI_PAGE_CACHE="0")
    path = kohoshi_data(data, args.shared, env)
    port = free_port_in(8200, 8250)
    runs: dict[str, dict[int, list[dict]]] = {}
    names = [n for n in candidates(port) if any(part in n for part in args.only.split(","))]
    for round_no in range(args.rounds):
        for name in names:  # interleaved: the machine's load drifts alike for every candidate
            cmd = candidates(port)[name]
            process = start(cmd, env=env, log=OUT / "logs" / f"server-{names.index(name)}.log", cwd=OUT.parents[2])
            try:
                url = f"http://{HOST}:{port}{path}"
                wait_http(url, process)
                wrk(url, connections=8, seconds=2)  # warm every worker
                for c in (1, 64):
                    runs.setdefault(name, {}).setdefault(c, []).append(wrk(url, connections=c, seconds=args.seconds))
            finally:
                stop(process)
                time.sleep(1)
            r1, r64 = runs[name][1][-1], runs[name][64][-1]
            print(f"round {round_no + 1} {name}: 1c {r1['rps']:.0f} req/s | 64c {r64['rps']:.0f} req/s "
                  f"p99 {r64['p99_ms']:.0f} ms, connections per process {'/'.join(map(str, r64['split']))}", flush=True)
    results = {name: {c: median_run(rs) for c, rs in by_c.items()} for name, by_c in runs.items()}
    (OUT / "servers.json").write_text(json.dumps({"cpus": CPUS, "path": path, "results": results}, indent=1))
    print()
    print("| server | 1 connection req/s | 64 connections req/s | 64c p50 ms | 64c p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r[1]['rps']:.0f} | {r[64]['rps']:.0f} | {r[64]['p50_ms']:.1f} | {r[64]['p99_ms']:.1f} "
              f"| {r[1]['errors'] + r[64]['errors']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
