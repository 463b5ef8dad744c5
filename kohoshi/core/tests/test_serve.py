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
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        processes.append(process)
        deadline = time.monotonic() + 30
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
            process.wait(timeout=10)


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


def test_https_without_a_trusted_proxy_refuses_to_start_instead_of_redirecting_forever(serve):
    process = serve(KOHOSHI_HTTPS="1")
    assert not isinstance(process, int), "serve started: every request would be redirected"
    assert process.returncode != 0
    assert b"KOHOSHI_TRUSTED_PROXY" in process.stderr.read()


def test_plain_http_still_serves_without_redirects(serve):
    port = serve()
    response = get(port)
    assert response.status == 200
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")


def test_waitress_refuses_a_200_mb_body_from_its_content_length(serve):
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
