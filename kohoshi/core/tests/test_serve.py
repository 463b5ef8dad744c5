"""`kohoshi serve` behind a TLS proxy (issue #2): run in a subprocess on a free loopback port and
spoken to over HTTP, with and without X-Forwarded-Proto."""
import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(tmp_path):
    """serve(**env) -> port of a running `kohoshi serve --no-worker` with these settings."""
    processes = []

    def start(**extra_env):
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        env.update(KOHOSHI_DATA_DIR=str(tmp_path), KOHOSHI_TASKS="immediate", **extra_env)
        process = subprocess.Popen(
            [sys.executable, "-m", "kohoshi", "serve", "--no-worker", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / f"serve-{port}.log").open("w"),
        )
        processes.append(process)
        deadline = time.monotonic() + 90  # collectstatic and one process per CPU, on a loaded machine
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return process
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return port
            except OSError:
                time.sleep(0.1)
        raise AssertionError("kohoshi serve did not start")

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            # granian kills a worker that missed its stop after 15 s (it was still starting: serve.py)
            process.wait(timeout=30)


def get(port, path="/static/kohoshi/site.css", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_behind_a_trusted_proxy_https_requests_are_served_with_hsts(serve):
    port = serve(KOHOSHI_HTTPS="1", KOHOSHI_TRUSTED_PROXY="127.0.0.1")
    secure = get(port, headers={"X-Forwarded-Proto": "https"})
    assert secure.status == 200
    assert secure.getheader("Strict-Transport-Security") == "max-age=31536000"
    plain = get(port)
    assert plain.status == 301
    assert plain.getheader("Location") == "https://127.0.0.1:%d/static/kohoshi/site.css" % port


def test_the_header_from_an_untrusted_address_is_ignored(serve):
    port = serve(KOHOSHI_HTTPS="1", KOHOSHI_TRUSTED_PROXY="192.0.2.1")
    response = get(port, headers={"X-Forwarded-Proto": "https"})
    assert response.status == 301
    assert response.getheader("Strict-Transport-Security") is None


def test_https_without_a_trusted_proxy_refuses_to_start_instead_of_redirecting_forever(serve, tmp_path):
    process = serve(KOHOSHI_HTTPS="1")
    assert not isinstance(process, int), "serve started: every request would be redirected"
    assert process.returncode != 0
    assert any("KOHOSHI_TRUSTED_PROXY" in p.read_text() for p in tmp_path.glob("serve-*.log"))


def test_plain_http_still_serves_without_redirects(serve):
    port = serve()
    response = get(port)
    assert response.status == 200
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")


def test_serve_refuses_a_200_mb_body_from_its_content_length(serve):
    port = serve()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(
            b"POST /survey/a/1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: 209715200\r\n\r\n"
        )
        status_line = s.recv(200).split(b"\r\n")[0]
    assert b" 413 " in status_line
    assert time.monotonic() - started < 5


def _children(pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry))
    return children


def _alive(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the worker through /proc")
def test_sigterm_to_serve_alone_stops_its_task_worker_too(tmp_path):
    """A process manager may signal only the main process (found by the soak, issue 12): the
    db_worker must not outlive it, still running the old code after a deploy."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(KOHOSHI_DATA_DIR=str(tmp_path), KOHOSHI_TASKS="db")
    subprocess.run([sys.executable, "-m", "kohoshi", "migrate", "-v0"], env=env, check=True)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kohoshi", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not (workers := _children(process.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert workers, "serve started no worker"
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "the task worker outlived kohoshi serve"
    finally:
        for pid in [process.pid, *workers]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait()


COUNT_VIEWS = """
import django
django.setup()
from django.db.models import Sum
from kohoshi.engagement.models import ArticleDailyViews
print(ArticleDailyViews.objects.aggregate(n=Sum("views"))["n"] or 0)
"""


def test_sigterm_writes_every_view_the_web_processes_buffered_and_logs_are_json(tmp_path):
    """gunicorn's workers each count views in their own memory (no Redis): a SIGTERM to `serve`
    must write them all, and everything on stderr is one JSON object per line."""
    import json

    from kohoshi.core.tests.test_nginx import SETUP

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    env.update(KOHOSHI_DATA_DIR=str(tmp_path), KOHOSHI_TASKS="immediate", DJANGO_SETTINGS_MODULE="kohoshi.settings",
               KOHOSHI_VIEWS_FLUSH_SECONDS="3600")  # written only at shutdown
    info = json.loads(subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, capture_output=True,
                                     text=True).stdout.strip().splitlines()[-1])
    port = free_port()
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "kohoshi", "serve", "--no-worker", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, log.read_text()
                time.sleep(0.1)
        browser = {"User-Agent": "Mozilla/5.0 (iPhone) Safari"}
        statuses = [get(port, info["article"], headers=browser).status for _ in range(20)]
        assert statuses == [200] * 20
        assert get(port, "/no-such-page/", headers=browser).status == 404
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    written = subprocess.run([sys.executable, "-c", COUNT_VIEWS], env=env, check=True, capture_output=True,
                             text=True).stdout.strip().splitlines()[-1]
    assert int(written) == 20
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    access = [r for r in records if r["logger"] == "kohoshi.access"]
    assert [r["status"] for r in access if r["path"] == info["article"]] == [200] * 20
    assert any(r["status"] == 404 and r["path"] == "/no-such-page/" for r in access)
    assert all({"time", "level", "message"} <= set(r) for r in records)
