"""Notification benchmark (issue 14): 100,000 generated subscribers of one town on PostgreSQL,
a real 広報あつぎ issue (../shared/corpus, CC BY 4.0) published through the staff publish view.

    .venv/bin/python bench/notify/run.py --pg postgres://postgres@127.0.0.1:5432/wt_notify \
        [--subscribers 100000] [--workers 1] [--smtp-port 8310] [--write]

Measures, side by side in one run:
- the publish request (staff view, PostgreSQL): it only enqueues one task, whatever the number of
  subscribers;
- queueing: from the publish commit until the worker has written every Delivery row and put
  every send batch on the django-tasks queue (must be under 60 s);
- sending: e-mails delivered over SMTP to an aiosmtpd sink on loopback (a separate process that
  counts what arrives), rate per second;
- the worker's peak memory (VmHWM of each `kohoshi worker` process).

The database named by --pg is DROPPED and re-created. --write replaces the "## Issue 14 —
notifications" section of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("KOHOSHI_SHARED", REPO.parent / "shared")) / "corpus" / "municipal-bulletin" / "csv"
DOC = REPO / "docs" / "benchmarks.md"
SECTION = "## Issue 14 — notifications"
TOWN = "142123"
REPEAT = 5  # 厚木市, whose newsletter the corpus holds

SINK = r"""
import sys, time, threading
from aiosmtpd.controller import Controller
count = [0]
class Handler:
    async def handle_DATA(self, server, session, envelope):
        count[0] += 1
        return "250 OK"
c = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
path = sys.argv[2]
while True:
    with open(path + ".tmp", "w") as f:
        f.write(str(count[0]))
    __import__("os").replace(path + ".tmp", path)
    time.sleep(0.2)
"""


def django_env(pg: str, data_dir: str, smtp_port: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": pg,
        "KOHOSHI_DATA_DIR": data_dir,
        "KOHOSHI_TASKS": "db",
        "DJANGO_SETTINGS_MODULE": "kohoshi.settings",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "DEFAULT_FROM_EMAIL": "kohoshi-bench <notify@kohoshi.example>",
        "KOHOSHI_SITE_URL": "https://kohoshi.example",
        "KOHOSHI_LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
    }


def recreate_database(pg: str) -> None:
    url = urlparse(pg)
    name = url.path.lstrip("/")
    admin = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    subprocess.run(["dropdb", "--if-exists", *admin, name], check=True)
    subprocess.run(["createdb", *admin, name], check=True)


def setup(subscribers: int) -> dict:
    """In this process (Django set up on the bench database): migrate, import one real issue as
    a draft, generate the subscribers; returns the ids the rest needs."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from kohoshi.accounts.models import Membership, Role
    from kohoshi.accounts.policy import SYSTEM
    from kohoshi.ingest.services import files_import
    from kohoshi.newsletters.models import Category
    from kohoshi.newsletters.services import issue_unpublish
    from kohoshi.subscriptions.models import IssueNotification, Subscription

    call_command("migrate", verbosity=0)
    files = sorted(CORPUS.glob(f"{TOWN}_*.csv"))
    if not files:
        sys.exit(f"corpus not found at {CORPUS}")
    report = files_import(files[:2], kind="csv")
    issue, other = report.results[0].issue, report.results[1].issue
    issue_unpublish(issue, by=SYSTEM)
    issue_unpublish(other, by=SYSTEM)
    DBTaskResult.objects.all().delete()
    IssueNotification.objects.all().delete()

    # The same publish request with no subscriber at all, for comparison (then made a draft again
    # and its queued task dropped, so it is not notified).
    user = get_user_model().objects.create_user("bench-publisher", password="x" * 12)
    Membership.objects.create(user=user, municipality_id=TOWN, role=Role.PUBLISHER)
    publish_request(other.pk, user.pk)  # warms up (search tokenizer, templates)
    issue_unpublish(other, by=SYSTEM)
    baseline = []
    for _ in range(REPEAT):
        baseline.append(publish_request(other.pk, user.pk))
        issue_unpublish(other, by=SYSTEM)
    DBTaskResult.objects.all().delete()
    IssueNotification.objects.all().delete()
    # `other` counts as notified: publishing it again below (with the subscribers) sends nothing.
    IssueNotification.objects.create(issue=other)

    t = time.perf_counter()
    now = timezone.now()
    subs = Subscription.objects.bulk_create(
        [Subscription(email=f"reader{n:06d}@example.jp", status="active", confirmed_at=now) for n in range(subscribers)],
        batch_size=10_000,
    )
    through_m = Subscription.municipalities.through
    through_m.objects.bulk_create([through_m(subscription_id=s.pk, municipality_id=TOWN) for s in subs], batch_size=20_000)
    # Conditions as readers might set them: most take every article, a quarter a category or two
    # (子育て, イベント: both in the issue; スポーツ alone: not in... it is, once), a few a keyword.
    cats = {c.slug: c.pk for c in Category.objects.all()}
    through_c = Subscription.categories.through
    rows, keyword_ids = [], []
    for n, s in enumerate(subs):
        if n % 4 == 1:
            rows.append(through_c(subscription_id=s.pk, category_id=cats["kosodate"]))
        elif n % 8 == 2:
            rows.append(through_c(subscription_id=s.pk, category_id=cats["event"]))
            rows.append(through_c(subscription_id=s.pk, category_id=cats["bunka"]))
        elif n % 20 == 3:
            rows.append(through_c(subscription_id=s.pk, category_id=cats["kenko"]))  # not in this issue
        if n % 100 == 7:
            keyword_ids.append(s.pk)
    through_c.objects.bulk_create(rows, batch_size=20_000)
    words = ["子育て", "図書館", "防災", "健診", "ごみ"]
    for i, word in enumerate(words):
        Subscription.objects.filter(pk__in=keyword_ids[i :: len(words)]).update(keywords=word)
    generate_s = time.perf_counter() - t

    with_subscribers = []
    for _ in range(REPEAT):
        with_subscribers.append(publish_request(other.pk, user.pk))
        issue_unpublish(other, by=SYSTEM)
    DBTaskResult.objects.all().delete()
    return {"baseline_s": statistics.median(baseline), "with_subscribers_s": statistics.median(with_subscribers), "issue_id": issue.pk, "other_id": other.pk, "user_id": user.pk, "generate_s": generate_s, "issue_title": str(issue),
            "articles": issue.articles.count(), "csv": files[0].name}


def publish_request(issue_id: int, user_id: int) -> float:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    t = time.perf_counter()
    response = client.post(f"/staff/m/{TOWN}/issues/{issue_id}/publish/", {}, HTTP_HOST="127.0.0.1")
    elapsed = time.perf_counter() - t
    assert response.status_code in (200, 302), response.status_code
    return elapsed


def vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", required=True)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--smtp-port", type=int, default=8310)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--send-window", type=float, default=0, help="stop measuring sending after this many seconds (0: until all are sent)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="kohoshi-bench-notify-")
    env = django_env(args.pg, data_dir, args.smtp_port)
    os.environ.update(env)
    recreate_database(args.pg)
    info = setup(args.subscribers)

    count_file = Path(data_dir) / "smtp-count"
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(args.smtp_port), str(count_file)])
    workers = []
    try:
        time.sleep(1.0)
        from django.db import connection

        from kohoshi.subscriptions.models import Delivery, IssueNotification

        request_s = publish_request(info["issue_id"], info["user_id"])
        baseline_s = info["baseline_s"]
        t0 = time.perf_counter()
        kohoshi = str(Path(sys.executable).with_name("kohoshi"))
        workers = [
            subprocess.Popen([kohoshi, "worker", "--interval", "0.2"], env=env, stdout=subprocess.DEVNULL)
            for _ in range(args.workers)
        ]
        peak = {w.pid: 0 for w in workers}
        queued_s = recipients = None
        sent_s = window_sent = window_s = None
        samples = []
        while time.perf_counter() - t0 < args.timeout:
            time.sleep(0.5)
            for w in workers:
                peak[w.pid] = max(peak[w.pid], vm_hwm_kb(w.pid))
            connection.close()
            if queued_s is None:
                marker = IssueNotification.objects.filter(issue_id=info["issue_id"]).first()
                if marker is not None:
                    queued_s = time.perf_counter() - t0
                    recipients = marker.recipients
            if recipients is not None:
                done = Delivery.objects.filter(issue_id=info["issue_id"]).exclude(status="queued").exclude(status="sending").count()
                arrived = int(count_file.read_text() or 0) if count_file.exists() else 0
                samples.append((time.perf_counter() - t0, arrived))
                if done >= recipients and arrived >= Delivery.objects.filter(issue_id=info["issue_id"], status="sent").count():
                    sent_s = time.perf_counter() - t0
                    break
                if args.send_window and time.perf_counter() - t0 - queued_s >= args.send_window:
                    window_sent = Delivery.objects.filter(issue_id=info["issue_id"], status="sent").count()
                    window_s = time.perf_counter() - t0 - queued_s
                    break
        statuses = dict(
            Delivery.objects.filter(issue_id=info["issue_id"]).values_list("status").annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("pk"))
        )
        arrived = int(count_file.read_text() or 0)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=60)
        sink.terminate()
        sink.wait()

    sending_s = (sent_s - queued_s) if sent_s and queued_s else None
    result = {
        "subscribers": args.subscribers,
        "workers": args.workers,
        "issue": info["issue_title"],
        "articles": info["articles"],
        "csv": info["csv"],
        "generate_s": round(info["generate_s"], 1),
        "publish_request_ms": round(request_s * 1000, 1),
        "publish_request_no_subscribers_ms": round(baseline_s * 1000, 1),
        "publish_request_other_issue_with_subscribers_ms": round(info["with_subscribers_s"] * 1000, 1),
        "queued_s": round(queued_s, 1) if queued_s else None,
        "recipients": recipients,
        "queue_rate_per_s": round(recipients / queued_s) if queued_s and recipients else None,
        "all_sent_s": round(sent_s, 1) if sent_s else None,
        "send_rate_per_s": round(statuses.get("sent", 0) / sending_s) if sending_s else (
            round(window_sent / window_s, 1) if window_s else None),
        "send_window_s": round(window_s, 1) if window_s else None,
        "sent_in_window": window_sent,
        "statuses": statuses,
        "smtp_arrived": arrived,
        "worker_peak_rss_mb": [round(kb / 1024, 1) for kb in peak.values()],
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared with other jobs)",
        "postgres": subprocess.run(["psql", args.pg, "-tAc", "show server_version"], capture_output=True, text=True).stdout.strip(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.write:
        write_section(result)


def write_section(r: dict) -> None:
    text = DOC.read_text(encoding="utf-8")
    if r["all_sent_s"]:
        sending = f"all sent {r['all_sent_s']} s after publish: {r['send_rate_per_s']} mails/s"
    else:
        sending = f"{r['sent_in_window']:,} mails in the first {r['send_window_s']} s after queueing: {r['send_rate_per_s']} mails/s"
    body = f"""{SECTION}

`bench/notify/run.py` ({time.strftime('%Y-%m-%d')}): {r['subscribers']:,} generated subscribers of 厚木市 on
PostgreSQL {r['postgres']}, the real issue {r['issue']} ({r['articles']} articles, `{r['csv']}` from
../shared/corpus, CC BY 4.0) published through the staff publish view, {r['workers']} `kohoshi worker`
process(es) on the django-tasks database queue, e-mail to an aiosmtpd sink on loopback. Machine:
{r['machine']}. Subscribers' conditions: 3/4 every article, 1/4 子育て, 1/8 イベント or 文化, 1/20 健康
(not in this issue), 1 % a keyword (子育て, 図書館, 防災, 健診, ごみ).

| measure | result |
| --- | --- |
| generating the subscribers (bulk insert) | {r['generate_s']} s |
| the publish request (staff view), {r['subscribers']:,} subscribers | {r['publish_request_ms']} ms |
| publishing another issue of the town, median of {REPEAT}: no subscriber / {r['subscribers']:,} subscribers | {r['publish_request_no_subscribers_ms']} ms / {r['publish_request_other_issue_with_subscribers_ms']} ms — the request enqueues one task, whatever the number of subscribers |
| queueing: publish → every Delivery row written and every send batch on the queue | {r['queued_s']} s for {r['recipients']:,} recipients ({r['queue_rate_per_s']:,}/s) |
| sending (SMTP on loopback, one connection per batch of 200) | {sending} |
| mails the SMTP sink received | {r['smtp_arrived']:,} |
| delivery statuses at the end | {', '.join(f'{k}: {v:,}' for k, v in sorted(r['statuses'].items()))} |
| worker peak memory (VmHWM) | {', '.join(f'{m} MB' for m in r['worker_peak_rss_mb'])} |

The request never waits for the subscribers: `issue_changed` → `notify_issue.enqueue`. One task
(`subscriptions.services.issue_notify`) selects the matching subscriptions in one query, checks
keywords with `search_articles` once per distinct keyword, writes the Delivery rows with
`bulk_create` (the unique constraint subscriber×issue makes a re-run a no-op) and enqueues send
batches; each send task claims its rows (QUEUED → SENDING, `SKIP LOCKED` on PostgreSQL), so more
workers send in parallel without ever sending twice.
"""
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + (text[end:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
