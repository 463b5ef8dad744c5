import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve kohoshi with waitress on 127.0.0.1:PORT, with a background task worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("KOHOSHI_HOST", "127.0.0.1"))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="do not start `kohoshi worker`")

    def handle(self, *args, port, host, threads, no_worker, **options):
        from waitress import serve

        from kohoshi.wsgi import application

        worker = None
        if not no_worker and settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
            worker = subprocess.Popen([sys.executable, "-m", "kohoshi", "worker"])
        # SIGTERM (systemd, docker stop) exits like Ctrl+C, so exit handlers run: the article views
        # this process buffered are written then (kohoshi.engagement.viewbuffer).
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        self.stdout.write(f"kohoshi: serving on http://{host}:{port}/ (Ctrl+C to stop)")
        try:
            serve(application, host=host, port=port, threads=threads, ident="kohoshi")
        finally:
            if worker:
                worker.terminate()
                worker.wait(timeout=10)
