import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def _exit_on_sigterm(signum, frame):
    raise SystemExit(0)


class Command(BaseCommand):
    help = "Serve kohoshi with waitress on 127.0.0.1:PORT, with a background task worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("KOHOSHI_HOST", "127.0.0.1"))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="do not start `kohoshi worker`")

    def handle(self, *args, port, host, threads, no_worker, **options):
        # Static files are served under hashed names from the manifest collectstatic writes;
        # whitenoise lists them when the application loads, so this comes first.
        call_command("collectstatic", interactive=False, verbosity=0)
        from waitress import serve

        from kohoshi.wsgi import application

        waitress_options = self._waitress_options()
        worker = None
        if not no_worker and settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
            worker = subprocess.Popen([sys.executable, "-m", "kohoshi", "worker"])
        # A process manager stops the server with SIGTERM, often to this process alone: by default
        # Python would die at once and leave the worker running (with the old code, after a
        # deploy). As SystemExit, waitress closes down as on Ctrl+C and the worker is stopped below;
        # exit handlers run too, writing the article views this process buffered
        # (kohoshi.engagement.viewbuffer).
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        self.stdout.write(f"kohoshi: serving on http://{host}:{port}/ (Ctrl+C to stop)")
        try:
            serve(application, host=host, port=port, threads=threads, ident="kohoshi", **waitress_options)
        finally:
            if worker:
                worker.terminate()
                worker.wait(timeout=10)

    def _waitress_options(self) -> dict:
        # A body larger than the PDF upload is refused by waitress (413) before it is buffered.
        options = {"max_request_body_size": settings.KOHOSHI_STAFF_BODY_MAX}
        if settings.KOHOSHI_TRUSTED_PROXY:
            # Waitress then sets the scheme (https) and the client address from this proxy's
            # X-Forwarded-* headers, and drops such headers from anyone else.
            options.update(
                trusted_proxy=settings.KOHOSHI_TRUSTED_PROXY,
                trusted_proxy_headers=set(settings.KOHOSHI_TRUSTED_PROXY_HEADERS),
                trusted_proxy_count=1,
                clear_untrusted_proxy_headers=True,
            )
        elif settings.SECURE_SSL_REDIRECT:
            raise CommandError(
                "KOHOSHI_HTTPS=1 needs KOHOSHI_TRUSTED_PROXY (the address of the TLS proxy in front, e.g. "
                "127.0.0.1): without it every request looks like http and is redirected to https forever."
            )
        return options
