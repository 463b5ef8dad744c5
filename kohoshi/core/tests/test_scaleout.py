"""Scale-out on one machine (issue #13): everything docs/deployment.md puts on several machines,
brought up on loopback and driven over HTTP.

- PostgreSQL: a primary and a streaming replica, two Debian clusters of their own
  (deploy/scaleout/pg-replica.sh; the shared 15/main cluster is not touched);
- Redis as the cache and the RQ queue (KOHOSHI_TASKS=rq), one database number of its own;
- two app servers (`kohoshi serve`) A and B on the same data directory (the shared media volume);
- an RQ worker (`kohoshi rqworker default`, django-tasks-rq's job class);
- Debian's nginx in front, load-balancing A and B.

A staff member uploads a real 広報あつぎ newsletter PDF (typeset from the corpus) on A; the RQ
worker reads it. A reader's page on B opens a connection on the replica. With the replica's
replay paused, the staff member publishes on A: staff see their issue at once on A and on B
(they read the primary), and so does a reader on B, because the commit raised the WAL fence
(kohoshi/core/dbrouter.py) the paused replica has not reached. Once replay resumes and the
replica has replayed the primary's WAL position (pg_last_wal_replay_lsn, not a sleep), the
reader is served from the replica again, on B and through nginx (both app servers answer).

Environment: KOHOSHI_SCALEOUT_PORT (first of three HTTP ports, 8250), KOHOSHI_SCALEOUT_REDIS
(redis://127.0.0.1:6379/4), KH_PRIMARY_PORT / KH_REPLICA_PORT (5434 / 5435, for the script).
"""
import getpass
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.heavy, pytest.mark.corpus]

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "deploy" / "scaleout" / "pg-replica.sh"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
HTTP_PORT = int(os.environ.get("KOHOSHI_SCALEOUT_PORT", "8250"))
REDIS = os.environ.get("KOHOSHI_SCALEOUT_REDIS", "redis://127.0.0.1:6379/4")
PRIMARY_PORT = int(os.environ.get("KH_PRIMARY_PORT", "5434"))
REPLICA_PORT = int(os.environ.get("KH_REPLICA_PORT", "5435"))
PRIMARY = f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/kohoshi"
REPLICA = f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/kohoshi"
ATSUGI = "142123"
PASSWORD = "scale-out-test-password"


def _missing() -> str | None:
    if not shutil.which("pg_createcluster"):
        return "pg_createcluster not installed (Debian's postgresql-common): no local PostgreSQL replica"
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup")):
        return "no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)"
    if not NGINX:
        return "nginx not installed (Debian's nginx, in the Makefile's APT_PACKAGES)"
    if os.geteuid() != 0 and getpass.getuser() != "postgres":
        return "pg_createcluster needs root or the postgres user"
    host, port = REDIS.split("//")[1].split("/")[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return f"no Redis at {host}:{port} (KOHOSHI_SCALEOUT_REDIS)"
    return None


def wait_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answers on port {port}:\n{log.read_text()[-3000:]}")


class Site:
    """The running set-up: processes, their logs, and the environment every kohoshi process shares."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.processes: list[subprocess.Popen] = []
        data = tmp / "data"
        data.mkdir()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DATABASE_", "REDIS_", "KOHOSHI_", "DJANGO_"))}
        env.update(
            DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA, REDIS_URL=REDIS, KOHOSHI_TASKS="rq",
            KOHOSHI_DATA_DIR=str(data), KOHOSHI_SECRET_KEY="scale-out-test-" + "k" * 40,
            KOHOSHI_TRUSTED_PROXY="127.0.0.1", KOHOSHI_ALLOWED_HOSTS="127.0.0.1,localhost",
            KOHOSHI_LOG_LEVEL="WARNING",
        )
        self.env = env

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "kohoshi", *args], env=self.env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"kohoshi {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self, name: str, argv: list[str], port: int | None = None) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        process = subprocess.Popen(argv, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.processes.append(process)
        if port:
            wait_port(port, process, log)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def nginx_conf(tmp: Path, listen: int, upstreams: list[int], static_root: Path) -> Path:
    prefix = tmp / "nginx"
    for sub in ("client_body", "proxy"):
        (prefix / sub).mkdir(parents=True)
    user = ""
    if os.geteuid() == 0:  # workers run as nobody: let them use their temporary directories
        user = "user nobody nogroup;"
        for sub in ("client_body", "proxy"):
            shutil.chown(prefix / sub, "nobody", "nogroup")
        tmp.chmod(0o755)
        prefix.chmod(0o755)
    servers = "\n".join(f"    server 127.0.0.1:{port};" for port in upstreams)
    conf = prefix / "nginx.conf"
    conf.write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
  client_body_temp_path {prefix}/client_body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/proxy; uwsgi_temp_path {prefix}/proxy; scgi_temp_path {prefix}/proxy;
  log_format combined_upstream '$request $status $upstream_addr';
  access_log {prefix}/access.log combined_upstream;
  client_max_body_size 51m;
  upstream kohoshi {{
{servers}
    keepalive 8;
  }}
  server {{
    listen 127.0.0.1:{listen};
    location / {{
      proxy_pass http://kohoshi;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
  }}
}}
""")
    return conf


def psql(port: int, sql: str) -> str:
    done = subprocess.run(
        ["psql", "-X", "-tA", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "kohoshi", "-c", sql],
        capture_output=True, text=True, timeout=30, check=True,
    )
    return done.stdout.strip()


def replica_clients() -> int:
    """Connections to the replica's kohoshi database other than this query's own."""
    return int(psql(REPLICA_PORT, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'kohoshi' "
                                  "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"))


def wait_for_replay(seconds: float = 30) -> str:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = psql(PRIMARY_PORT, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if psql(REPLICA_PORT, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
            return target
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay {target} in {seconds} s")


@pytest.fixture
def site(tmp_path, corpus_csv_files):
    if reason := _missing():
        pytest.skip(reason)
    script_env = {**os.environ, "KH_FAST": "1"}
    subprocess.run([SCRIPT, "down"], env=script_env, check=True, timeout=120)  # a crashed run's clusters
    subprocess.run([SCRIPT, "up"], env=script_env, check=True, timeout=300, capture_output=True)
    import redis

    queue = redis.Redis.from_url(REDIS)
    queue.flushdb()
    running = Site(tmp_path)
    try:
        yield running
    finally:
        running.stop()
        queue.flushdb()
        queue.close()
        subprocess.run([SCRIPT, "down"], env=script_env, check=True, timeout=120)


def login(session, base: str) -> None:
    page = session.get(f"{base}/staff/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/staff/login/", data={"username": "chief", "password": PASSWORD,
                                                           "csrfmiddlewaretoken": token},
                            headers={"Referer": f"{base}/staff/login/"}, allow_redirects=False)
    assert response.status_code == 302, response.text[:2000]


def csrf(session, url: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(url).text).group(1)


def test_two_app_servers_a_replica_redis_and_an_rq_worker_behind_nginx(site, corpus_csv_files):
    import redis
    import requests
    import rq

    from kohoshi.ingest.tests.newsletter_pdf import corpus_articles, newsletter_pdf

    started = last = time.monotonic()

    def step(name):
        nonlocal last
        now = time.monotonic()
        print(f"  {name}: {now - last:.1f} s")
        last = now

    # Migrations run on the primary only; the replica receives the schema by replication.
    site.run("migrate", "--no-input", "-v0")
    step("migrate")
    site.run("staff_add", "chief", "--municipality", ATSUGI, "--role", "publisher", "--password", PASSWORD)
    step("staff_add")
    nginx_port, port_a, port_b = HTTP_PORT, HTTP_PORT + 1, HTTP_PORT + 2
    kohoshi = [sys.executable, "-m", "kohoshi"]
    worker = site.start("rqworker", [*kohoshi, "rqworker", "default"])
    conf = nginx_conf(site.tmp, nginx_port, [port_a, port_b], Path(site.env["KOHOSHI_DATA_DIR"]) / "static")
    site.start("nginx", [NGINX, "-c", str(conf), "-p", str(conf.parent), "-e", str(conf.parent / "error.log")], nginx_port)
    # A collects the static files (`serve` does) before B starts on the same directory.
    site.start("a", [*kohoshi, "serve", "--no-worker", "--port", str(port_a)], port_a)
    site.start("b", [*kohoshi, "serve", "--no-worker", "--port", str(port_b)], port_b)
    step("app servers, worker and nginx up")
    a, b, front = (f"http://127.0.0.1:{port}" for port in (port_a, port_b, nginx_port))

    # --- a background task on the RQ worker: the PDF ingest run, uploaded on app server A.
    articles = corpus_articles(corpus_csv_files[0], 3)
    staff_a = requests.Session()
    login(staff_a, a)
    upload_url = f"{a}/staff/m/{ATSUGI}/ingest/"
    response = staff_a.post(upload_url, data={
        "csrfmiddlewaretoken": csrf(staff_a, upload_url), "newsletter": "new",
        "new_newsletter_title": "広報あつぎ", "new_newsletter_confirm": "on",
        "published_on": "2025-01-15", "number": "第1439号",
    }, files={"pdf": ("atsugi.pdf", newsletter_pdf(articles), "application/pdf")},
        headers={"Referer": upload_url}, allow_redirects=False)
    assert response.status_code == 302, response.text[:3000]
    run_url = a + response.headers["Location"]
    deadline = time.monotonic() + 60
    while (status := re.search(r'data-status="(\w+)"', staff_a.get(run_url).text).group(1)) in ("queued", "extracting"):
        assert time.monotonic() < deadline, f"the RQ worker did not finish the run:\n{(site.tmp / 'rqworker.log').read_text()[-3000:]}"
        assert worker.poll() is None, (site.tmp / "rqworker.log").read_text()[-3000:]
        time.sleep(0.2)
    assert status == "needs_review", (site.tmp / "rqworker.log").read_text()[-3000:]
    # The task's result, as RQ keeps it: the run's new status.
    job_id = re.search(r"process_ingest_run\(\d+\) \((\w+)\)", (site.tmp / "rqworker.log").read_text()).group(1)
    job = rq.job.Job.fetch(job_id, connection=redis.Redis.from_url(REDIS))
    while job.get_status(refresh=True) != "finished":
        assert time.monotonic() < deadline and job.get_status() in ("queued", "started"), job.get_status()
        time.sleep(0.2)
    assert job.return_value() == "needs_review"
    step("upload on A, ingest on the RQ worker")
    review = staff_a.get(run_url.rstrip("/") + "/review/").text
    for article in articles:
        assert article["title"] in review

    # --- readers are answered from the replica: B opens a connection there (and keeps it).
    wait_for_replay()
    assert replica_clients() == 0
    assert requests.get(f"{b}/m/{ATSUGI}/").status_code == 200
    assert replica_clients() >= 1

    # --- publish on A while the replica stands still.
    psql(REPLICA_PORT, "SELECT pg_wal_replay_pause()")
    publish_url = run_url.rstrip("/") + "/publish/"
    response = staff_a.post(publish_url, data={"csrfmiddlewaretoken": csrf(staff_a, publish_url)},
                            headers={"Referer": publish_url}, allow_redirects=False)
    assert response.status_code == 302, response.text[:3000]
    published = staff_a.get(run_url).text
    assert 'data-status="published"' in published
    step("publish on A")
    issue_path = re.search(r'href="(/m/142123/[^"]+/)"', published).group(1)

    # Staff read the primary: their issue, at once, on A and (same session cookie) on B.
    assert articles[0]["title"] in staff_a.get(a + issue_path).text
    staff_b = requests.Session()
    staff_b.cookies.update(staff_a.cookies)
    assert articles[0]["title"] in staff_b.get(b + issue_path).text
    # A reader on B too, although the replica has not replayed the publication: the WAL fence the
    # commit raised sends the request to the primary (without it: a 404, and a stale page cached).
    behind = psql(REPLICA_PORT, "SELECT pg_last_wal_replay_lsn() < "
                                f"'{psql(PRIMARY_PORT, 'SELECT pg_current_wal_lsn()')}'::pg_lsn")
    reader = requests.get(b + issue_path)
    assert behind == "t"
    assert reader.status_code == 200 and articles[0]["title"] in reader.text
    assert psql(REPLICA_PORT, "SELECT pg_is_in_recovery()") == "t"

    # Replay resumes; once the replica has the primary's WAL position the reader is on it again.
    psql(REPLICA_PORT, "SELECT pg_wal_replay_resume()")
    lsn = wait_for_replay()
    step("replica replayed the publication")
    reader = requests.get(b + issue_path)
    assert reader.status_code == 200, (lsn, reader.status_code)
    assert all(article["title"] in reader.text for article in articles)
    assert "kohoshi_primary" not in reader.cookies and "sessionid" not in reader.cookies

    # And through nginx, which shares the requests between A and B.
    for _ in range(6):
        through = requests.get(front + issue_path)
        assert through.status_code == 200 and articles[0]["title"] in through.text
    upstreams = {line.split()[-1] for line in (conf.parent / "access.log").read_text().splitlines()
                 if issue_path in line}
    assert upstreams == {f"127.0.0.1:{port_a}", f"127.0.0.1:{port_b}"}, upstreams

    # The replica refuses writes: nothing was written there (hot standby is read-only).
    refused = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(REPLICA_PORT), "-U", "postgres",
                              "-d", "kohoshi", "-c", "CREATE TABLE nope (x int)"], capture_output=True, text=True)
    assert "read-only transaction" in refused.stderr
    print(f"scale-out set-up exercised in {time.monotonic() - started:.1f} s")
