"""The Redis/RQ task backend, for scale: a real Redis, a real `rqworker`, separate processes."""
import json
import os
import socket
import subprocess
import sys

import pytest

from kohoshi.ingest.tests.newsletter_pdf import newsletter_pdf

REDIS = ("127.0.0.1", 6379)
ARTICLES = [
    {"title": "ごみの出し方が変わります", "body": "4月から分別の方法が変わります。"},
    {"title": "図書館まつりを開きます", "body": "本の交換会や読み聞かせがあります。"},
]


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


def _kohoshi(env, *args, timeout=120):
    done = subprocess.run(
        [sys.executable, "-m", "kohoshi", *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"kohoshi {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.heavy
def test_ingest_runs_on_an_rq_worker(tmp_path):
    if not _redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379: the RQ backend was not exercised")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")},
        "KOHOSHI_DATA_DIR": str(tmp_path / "var"),
        "KOHOSHI_TASKS": "rq",
        # A database of its own, emptied first: no other run's jobs are picked up.
        "REDIS_URL": "redis://127.0.0.1:6379/13",
    }
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    pdf = tmp_path / "koho.pdf"
    pdf.write_bytes(newsletter_pdf(ARTICLES))
    _kohoshi(env, "migrate", "-v0")
    queued = _kohoshi(env, "ingest_pdf", str(pdf), "--municipality", "142123", "--newsletter", "広報あつぎ",
                      "--date", "2025-04-01")
    assert "順番待ち" in queued  # enqueued in Redis, not run in this process
    _kohoshi(env, "rqworker", "default", "--burst")
    state = _kohoshi(env, "shell", "-c", (
        "import json; from kohoshi.ingest.models import IngestRun; r = IngestRun.objects.get();"
        "print(json.dumps([r.status, list(r.issue.articles.order_by('position').values_list('title', flat=True))]))"
    ))
    status, titles = json.loads(state.strip().splitlines()[-1])
    assert status == "needs_review"
    assert titles == [a["title"] for a in ARTICLES]
