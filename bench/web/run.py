"""Issue 13 web benchmark: one command, one run, loopback, wrk at 1 and 64 connections.

    .venv/bin/python -m bench.web.run [--seconds 10] [--shared ../shared] [--no-docs]

Side by side, on the demo corpus (広報あつぎ and the sample municipalities from ../shared, SQLite):
- kohoshi as deployed: nginx (deploy/nginx, micro-cache) + `kohoshi serve` (page cache on);
- kohoshi serve alone with its page cache on (the deployed app server, asked directly: no nginx);
- kohoshi uncached: `kohoshi serve` alone with KOHOSHI_PAGE_CACHE=0 (every request renders);
  both for the article (第1446号, position 10), its issue, the municipality (142123) and a search;
- Wagtail (latest 7.x/8.x from PyPI, installed by this script into bench/out/web/wagtail-venv):
  a minimal site with one page model holding the same corpus articles of that issue (title,
  category and the body HTML kohoshi rendered from the CSV), gunicorn with 2 sync workers, SQLite;
- nginx serving the same article HTML (as kohoshi rendered it) as a static file: the ceiling.
Prints the table, writes bench/out/web/run.json and the section "Issue 13 — serving" of
docs/benchmarks.md (unless --no-docs). Needs Debian's wrk and nginx (make bench-web installs them).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .common import BIN, HOST, OUT, REPO, docs_section_write, kohoshi_data, kohoshi_env, start, stop, wait_http, wrk

sys.path.insert(0, str(REPO))
WAGTAIL_VENV = OUT / "wagtail-venv"
WAGTAIL_SRC = Path(__file__).with_name("wagtail_site")
SEARCH = "/search/?q=%E5%AD%90%E8%82%B2%E3%81%A6"  # 子育て
PORTS = {"uncached": 8210, "deployed_app": 8211, "deployed": 8212, "static": 8213, "wagtail": 8214}

EXPORT = """
import django, json, sys
django.setup()
from kohoshi.newsletters.models import Article
issue = Article.objects.published().get(issue__slug=sys.argv[1], issue__newsletter__municipality_id=sys.argv[2],
                                        position=int(sys.argv[3])).issue
articles = issue.articles.select_related("category").order_by("position")
print(json.dumps([{"title": a.title, "slug": f"a{a.number}", "category": a.category.name if a.category else "",
                   "body": a.body_html, "position": a.position} for a in articles], ensure_ascii=False))
"""


def nginx_up(prefix: Path, site: str, extra_server: str = "") -> subprocess.Popen:
    prefix.mkdir(parents=True, exist_ok=True)
    for d in ("logs", "tmp"):
        (prefix / d).mkdir(exist_ok=True)
    (prefix / "kohoshi.conf").write_text(site)
    (prefix / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + "worker_processes 2;\npid nginx.pid;\nerror_log logs/error.log;\nevents { worker_connections 4096; }\n"
        + "http {\n  include /etc/nginx/mime.types;\n  client_body_temp_path tmp/body;\n  proxy_temp_path tmp/proxy;\n"
        + "  fastcgi_temp_path tmp/fastcgi;\n  uwsgi_temp_path tmp/uwsgi;\n  scgi_temp_path tmp/scgi;\n"
        + "  sendfile on;\n  keepalive_requests 1000000;\n  include kohoshi.conf;\n" + extra_server + "}\n"
    )
    return start(["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                 env=dict(os.environ), log=OUT / "logs" / f"{prefix.name}.log")


def venv_base(venv: Path) -> str:
    """The interpreter a virtual environment was made from (its pyvenv.cfg's `executable`)."""
    for line in (venv / "pyvenv.cfg").read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "executable":
            return os.path.realpath(value.strip())
    return ""


def interpreter() -> str:
    """The interpreter this process runs on: the one its virtual environment was made from."""
    return venv_base(Path(sys.prefix)) if sys.prefix != sys.base_prefix else os.path.realpath(sys.executable)


def wagtail_up(articles: list[dict], index: int) -> tuple[subprocess.Popen, str, str]:
    python = WAGTAIL_VENV / "bin" / "python"
    if (WAGTAIL_VENV / "pyvenv.cfg").exists() and venv_base(WAGTAIL_VENV) != interpreter():
        shutil.rmtree(WAGTAIL_VENV)  # Wagtail runs on the interpreter kohoshi runs on, or the ratio says little
    if not (WAGTAIL_VENV / "bin" / "gunicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(WAGTAIL_VENV)], check=True)
        subprocess.run([str(WAGTAIL_VENV / "bin" / "pip"), "install", "-q", "wagtail>=7,<9", "gunicorn"], check=True)
    version = subprocess.run([str(python), "-c", "import wagtail; print(wagtail.__version__)"], check=True,
                             capture_output=True, text=True).stdout.strip()
    site = OUT / "wagtail"
    site.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(WAGTAIL_BENCH_DIR=str(site), DJANGO_SETTINGS_MODULE="settings", PYTHONPATH=str(WAGTAIL_SRC))
    manage = [str(python), "-m", "django"]
    if not (site / "wagtail.sqlite3").exists():
        subprocess.run([*manage, "makemigrations", "bench_site", "-v0"], env=env, check=True, cwd=site)
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=site)
    (site / "articles.json").write_text(json.dumps(articles, ensure_ascii=False))
    path = subprocess.run([str(python), str(WAGTAIL_SRC / "load.py"), str(site / "articles.json"), str(index)],
                          env=env, check=True, capture_output=True, text=True, cwd=site).stdout.strip().splitlines()[-1]
    process = start([str(WAGTAIL_VENV / "bin" / "gunicorn"), "wsgi:application", "-k", "sync", "-w", "2",
                     "-b", f"{HOST}:{PORTS['wagtail']}", "--log-level", "warning"], env=env,
                    log=OUT / "logs" / "wagtail.log", cwd=site)
    return process, path, version


def python_speed() -> float:
    """Seconds for 10 million additions in a pure-Python loop (best of 3): how fast this machine runs
    Python at the moment. A 2-CPU virtual machine's speed drifts, sometimes by a factor of two
    within the hour, and every Python server's rate, kohoshi's and Wagtail's alike, drifts with it."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    from kohoshi.core.management.commands.nginx_config import render

    data = OUT / "data"
    base_env = kohoshi_env(data)
    article = kohoshi_data(data, args.shared, base_env)
    issue = article.rsplit("/", 2)[0] + "/"
    municipality = "/m/142123/"
    processes = []
    speed_before = python_speed()
    try:
        uncached = start([str(BIN / "kohoshi"), "serve", "--no-worker", "--port", str(PORTS["uncached"])],
                         env=kohoshi_env(data, KOHOSHI_PAGE_CACHE="0", KOHOSHI_ACCESS_LOG="0"),
                         log=OUT / "logs" / "uncached.log")
        processes.append(uncached)
        # One at a time: each `serve` collects static files first, into the same folder.
        wait_http(f"http://{HOST}:{PORTS['uncached']}{article}", uncached)
        deployed_app = start([str(BIN / "kohoshi"), "serve", "--no-worker", "--port", str(PORTS["deployed_app"])],
                             env=kohoshi_env(data, KOHOSHI_TRUSTED_PROXY="127.0.0.1", KOHOSHI_ACCESS_LOG="0"),
                             log=OUT / "logs" / "deployed-app.log")
        processes.append(deployed_app)
        wait_http(f"http://{HOST}:{PORTS['uncached']}{article}", uncached)
        wait_http(f"http://{HOST}:{PORTS['deployed_app']}{article}", deployed_app)
        # The ceiling: the article's HTML as kohoshi renders it, as a file nginx sends.
        html_dir = OUT / "static-html"
        html_dir.mkdir(exist_ok=True)
        import urllib.request

        (html_dir / "article.html").write_bytes(
            urllib.request.urlopen(f"http://{HOST}:{PORTS['uncached']}{article}").read())
        static_server = (
            f"  server {{ listen {HOST}:{PORTS['static']}; access_log off; root {html_dir}; "
            "location / { default_type text/html; } }\n"
        )
        site = render(upstreams=[f"{HOST}:{PORTS['deployed_app']}"], listen=f"{HOST}:{PORTS['deployed']}",
                      static_root=str(data / "static"), cache_dir=str(OUT / "nginx" / "cache"), access_log="off")
        nginx = nginx_up(OUT / "nginx", site, static_server)
        processes.append(nginx)
        wait_http(f"http://{HOST}:{PORTS['deployed']}/healthz", nginx)

        corpus = json.loads(subprocess.run(
            [str(BIN / "python"), "-c", EXPORT, "2025-05-01", "142123", "10"], env=base_env, check=True,
            capture_output=True, text=True).stdout.strip().splitlines()[-1])
        index = next(i for i, a in enumerate(corpus) if a["position"] == 10)
        wagtail, wagtail_path, wagtail_version = wagtail_up(corpus, index)
        processes.append(wagtail)
        wait_http(f"http://{HOST}:{PORTS['wagtail']}{wagtail_path}", wagtail)

        targets = [
            ("nginx static file (ceiling)", "article", f"http://{HOST}:{PORTS['static']}/article.html"),
            (f"Wagtail {wagtail_version}, gunicorn 2 sync workers", "article", f"http://{HOST}:{PORTS['wagtail']}{wagtail_path}"),
        ]
        for page, path in (("article", article), ("issue", issue), ("municipality", municipality), ("search", SEARCH)):
            targets.append(("kohoshi deployed (nginx + serve + cache)", page, f"http://{HOST}:{PORTS['deployed']}{path}"))
            targets.append(("kohoshi serve alone, its page cache on (no nginx)", page,
                            f"http://{HOST}:{PORTS['deployed_app']}{path}"))
            targets.append(("kohoshi uncached (serve only)", page, f"http://{HOST}:{PORTS['uncached']}{path}"))
        results = []
        for server, page, url in targets:
            wrk(url, connections=8, seconds=2)  # warm: every worker, the caches
            row = {"server": server, "page": page, "url": url}
            for c in (1, 64):
                row[c] = wrk(url, connections=c, seconds=args.seconds)
            results.append(row)
            print(f"{server:45} {page:12} 1c {row[1]['rps']:8.0f}/s p99 {row[1]['p99_ms']:6.1f} ms | "
                  f"64c {row[64]['rps']:8.0f}/s p50 {row[64]['p50_ms']:6.1f} p99 {row[64]['p99_ms']:7.1f} ms "
                  f"{'/'.join(map(str, row[64]['split']))} | "
                  f"errors {row[1]['errors'] + row[64]['errors']}", flush=True)
    finally:
        for process in reversed(processes):
            stop(process)

    def find(server_prefix, page):
        return next(r for r in results if r["server"].startswith(server_prefix) and r["page"] == page)

    static, peer = find("nginx static", "article"), find("Wagtail", "article")
    ratios = {
        "deployed article / nginx static, 64c": find("kohoshi deployed", "article")[64]["rps"] / static[64]["rps"],
        "uncached article / Wagtail, 64c": find("kohoshi uncached", "article")[64]["rps"] / peer[64]["rps"],
        "uncached article / Wagtail, 1c": find("kohoshi uncached", "article")[1]["rps"] / peer[1]["rps"],
        "deployed article / Wagtail, 64c": find("kohoshi deployed", "article")[64]["rps"] / peer[64]["rps"],
        "serve + page cache article / Wagtail, 64c": find("kohoshi serve alone", "article")[64]["rps"] / peer[64]["rps"],
    }
    load = os.getloadavg()
    summary = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
        "loadavg_after": load, "seconds": args.seconds, "python": platform.python_version(),
        "python_executable": interpreter(),
        "python_speed_s": [round(speed_before, 2), round(python_speed(), 2)],
        "article": article, "results": results, "ratios": ratios,
    }
    (OUT / "run.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    table = markdown(summary)
    print(table)
    if not args.no_docs:
        write_docs(table)
    return 0


def markdown(summary: dict) -> str:
    lines = [
        f"Run {summary['when']}, {summary['cpus']} CPUs shared with other work (load average after the run: "
        f"{summary['loadavg_after'][0]:.1f}), wrk {summary['seconds']} s per cell on loopback, browser User-Agent, "
        f"no cookies. Article: `{summary['article']}` (広報あつぎ 第1446号, position 10; demo corpus from "
        f"../shared/corpus, CC BY 4.0). Python {summary['python']} ({summary.get('python_executable', '?')}), "
        "kohoshi's and Wagtail's alike. The machine's speed: 10 million additions in a Python loop took "
        f"{summary['python_speed_s'][0]:.2f} s before the cells and {summary['python_speed_s'][1]:.2f} s after "
        "(the lower, the faster; see the caveat above).",
        "",
        "| server | page | 1 conn req/s | 1 conn p50 / p99 ms | 64 conn req/s | 64 conn p50 / p99 ms | "
        "64 conn per process | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in summary["results"]:
        lines.append(
            f"| {r['server']} | {r['page']} | {r[1]['rps']:.0f} | {r[1]['p50_ms']:.1f} / {r[1]['p99_ms']:.1f} | "
            f"{r[64]['rps']:.0f} | {r[64]['p50_ms']:.1f} / {r[64]['p99_ms']:.1f} | "
            f"{'/'.join(map(str, r[64].get('split') or [])) or '–'} | {r[1]['errors'] + r[64]['errors']} |"
        )
    lines += ["", "| ratio | value |", "|---|---:|"]
    lines += [f"| {name} | {value:.2f}× |" for name, value in summary["ratios"].items()]
    return "\n".join(lines) + "\n"


def write_docs(table: str) -> None:
    docs_section_write("bench/web/run.py", table, when_new=lambda text, block: (
        text.rstrip("\n") + "\n\n## Issue 13 — serving\n\n" + block + "\n"))


if __name__ == "__main__":
    raise SystemExit(main())
