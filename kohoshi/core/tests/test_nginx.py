"""deploy/nginx/ in front of a live `kohoshi serve` (Debian's nginx on loopback, non-daemon, a
temporary prefix): static files from nginx itself, public pages micro-cached and renewed after an
edit, staff pages and cookie-setting answers never cached, reader settings in their own variant."""
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kohoshi.core.management.commands.nginx_config import render
from kohoshi.core.tests.test_serve import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FROM_CACHE = {"HIT", "STALE", "UPDATING"}  # answers nginx gives without asking kohoshi
pytestmark = pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx not installed (APT_PACKAGES)")

SETUP = """
import django, json, sys
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from kohoshi.staff.tests.factories import make_issue
issue = make_issue()
article = issue.articles.order_by("position").first()
print(json.dumps({"article": article.get_absolute_url(), "article_id": article.pk}))
"""

EDIT = """
import django, sys
django.setup()
from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.models import Article
from kohoshi.newsletters.services import article_update
article = Article.objects.get(pk=int(sys.argv[1]))
article_update(article, by=SYSTEM, title=sys.argv[2], category=article.category, body="変更した本文です。")
"""


def request(port, path, headers=None, method="GET"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request(method, path, headers={"User-Agent": "Mozilla/5.0 (iPhone) Safari", **(headers or {})})
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response, body


@pytest.fixture
def deployed(tmp_path):
    """(nginx port, app port, article path, article id, env, app log path)"""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    env.update(KOHOSHI_DATA_DIR=str(tmp_path / "data"), KOHOSHI_TASKS="immediate",
               DJANGO_SETTINGS_MODULE="kohoshi.settings", KOHOSHI_TRUSTED_PROXY="127.0.0.1")
    info = json.loads(subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, capture_output=True,
                                     text=True).stdout.strip().splitlines()[-1])
    app_port, web_port = free_port(), free_port()
    app_log = tmp_path / "app.log"
    app = subprocess.Popen(
        [sys.executable, "-m", "kohoshi", "serve", "--no-worker", "--port", str(app_port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=app_log.open("wb"),
    )
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    site = render(upstreams=[f"127.0.0.1:{app_port}"], listen=f"127.0.0.1:{web_port}",
                  static_root=str(tmp_path / "data" / "static"), cache_dir=str(prefix / "cache"),
                  access_log=str(prefix / "logs" / "access.log"))
    (prefix / "kohoshi.conf").write_text(site)
    (prefix / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + "worker_processes 1;\npid nginx.pid;\nerror_log logs/error.log;\nevents {}\n"
        + "http {\n  include /etc/nginx/mime.types;\n  client_body_temp_path tmp/body;\n"
        + "  proxy_temp_path tmp/proxy;\n  fastcgi_temp_path tmp/fastcgi;\n  uwsgi_temp_path tmp/uwsgi;\n"
        + "  scgi_temp_path tmp/scgi;\n  include kohoshi.conf;\n}\n"
    )
    (prefix / "tmp").mkdir()
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert app.poll() is None, app_log.read_text()[-3000:]
            assert nginx.poll() is None, nginx.stderr.read().decode()
            try:
                if request(web_port, "/healthz")[0].status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "nginx + kohoshi serve did not answer /healthz"
            time.sleep(0.2)
        yield web_port, app_port, info["article"], info["article_id"], env, app_log
    finally:
        for process in (nginx, app):
            process.terminate()
            process.wait(timeout=20)


def app_paths(app_log: Path) -> list[str]:
    paths = []
    for line in app_log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("logger") == "kohoshi.access":
            paths.append(entry["path"])
    return paths


def test_nginx_in_front_of_kohoshi(deployed):
    web, app, article, article_id, env, app_log = deployed

    # Static files: nginx itself (never in kohoshi's access log), hashed name, immutable.
    _, page = request(web, article)
    css = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert css.startswith("/static/kohoshi/site.") and css.endswith(".css")
    static, _ = request(web, css)
    assert static.status == 200 and "immutable" in static.getheader("Cache-Control")
    gz, _ = request(web, css, {"Accept-Encoding": "gzip"})
    assert gz.getheader("Content-Encoding") == "gzip"

    # A public page: answered from nginx's cache, and a burst of readers reaches kohoshi at most
    # once per micro-cache second. STALE and UPDATING are answers from the cache too (stale while
    # a background request renews it); on a loaded machine they are what a reader may get.
    deadline = time.monotonic() + 15
    while True:
        first, body = request(web, article)
        if first.getheader("X-Cache") == "HIT":
            break
        assert time.monotonic() < deadline, f"never a HIT: {first.getheader('X-Cache')}"
        time.sleep(0.2)
    assert f'content="/v/{article_id}/"' in body  # behind nginx the view is counted by beacon
    before, started = app_paths(app_log).count(article), time.monotonic()
    burst = [request(web, article) for _ in range(20)]
    assert {answer.getheader("X-Cache") for answer, _ in burst} <= FROM_CACHE
    assert all(again == body for _, again in burst)
    time.sleep(0.5)  # a background renewal in flight is logged when it ends
    assert app_paths(app_log).count(article) - before <= 1 + int(time.monotonic() - started)
    assert css not in app_paths(app_log)

    # A reader setting gets its own variant, cached as well.
    xl, xl_body = request(web, article, {"Cookie": "kh_font=xl"})
    assert xl.getheader("X-Cache") in ("MISS", "EXPIRED") and 'kh-font-xl' in xl_body
    assert request(web, article, {"Cookie": "kh_font=xl"})[0].getheader("X-Cache") in FROM_CACHE
    assert 'kh-font-m' in request(web, article)[1]

    # An edit shows through nginx within its micro-cache second (then revalidated by kohoshi).
    subprocess.run([sys.executable, "-c", EDIT, str(article_id), "編集後の見出し"], env=env, check=True)
    deadline = time.monotonic() + 10
    while "編集後の見出し" not in request(web, article)[1]:
        assert time.monotonic() < deadline, "the edit never showed through nginx"
        time.sleep(0.3)

    # Staff pages, a signed-in staff member's request and answers that set cookies: never cached.
    for _ in range(2):
        login, _ = request(web, "/staff/login/")
        assert login.getheader("X-Cache") not in FROM_CACHE
    assert request(web, article, {"Cookie": "sessionid=abc"})[0].getheader("X-Cache") == "BYPASS"
    for _ in range(2):
        settings_answer, _ = request(web, "/settings/?font=l&next=/")
        assert settings_answer.getheader("Set-Cookie") and settings_answer.getheader("X-Cache") not in FROM_CACHE
        survey, _ = request(web, f"/survey/a/{article_id}/")
        assert survey.getheader("X-Cache") not in FROM_CACHE
