import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Chosen by measurement (bench/web/servers.py, docs/benchmarks.md "Issue 13 — serving").
SERVERS = ("granian", "gunicorn", "waitress")


# The application server's own messages (start, stop, a worker that died) as JSON lines too.
_JSON_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kohoshi.core.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        name: {"handlers": ["console"], "level": "INFO", "propagate": False}
        for name in ("gunicorn.error", "_granian", "granian")
    },
}


def _exit_on_sigterm(signum, frame):
    raise SystemExit(0)


def default_workers() -> int:
    """One process per CPU this process may run on (KOHOSHI_WEB_WORKERS overrides)."""
    if value := os.environ.get("KOHOSHI_WEB_WORKERS"):
        return max(1, int(value))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Command(BaseCommand):
    help = (
        "Serve kohoshi on HOST:PORT with granian (one process per CPU, threads in each), with a "
        "background task worker beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("KOHOSHI_HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=None, help="processes (default: one per CPU)")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("KOHOSHI_WEB_THREADS", "4")),
                            help="threads per process")
        parser.add_argument("--server", choices=SERVERS, default=os.environ.get("KOHOSHI_SERVER", "granian"))
        parser.add_argument("--no-worker", action="store_true", help="do not start `kohoshi worker`")

    def handle(self, *args, port, host, workers, threads, server, no_worker, **options):
        if settings.SECURE_SSL_REDIRECT and not settings.KOHOSHI_TRUSTED_PROXY:
            raise CommandError(
                "KOHOSHI_HTTPS=1 needs KOHOSHI_TRUSTED_PROXY (the address of the TLS proxy in front, e.g. "
                "127.0.0.1): without it every request looks like http and is redirected to https forever."
            )
        # Static files are served under hashed names from the manifest collectstatic writes;
        # whitenoise lists them when the application loads, so this comes first.
        call_command("collectstatic", interactive=False, verbosity=0)
        workers = workers or default_workers()
        worker = None
        if not no_worker and settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
            worker = subprocess.Popen([sys.executable, "-m", "kohoshi", "worker"])
        # A process manager stops the server with SIGTERM, often to this process alone: the task
        # worker must not outlive it (with the old code, after a deploy). granian and gunicorn stop
        # their workers gracefully on SIGTERM and return (gunicorn's arbiter with SystemExit), as
        # waitress does with the handler below; the worker is stopped in `finally`. Each web
        # process writes the article views it buffered at exit (kohoshi.engagement.viewbuffer).
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        parent = os.getpid()
        self.stdout.write(f"kohoshi: serving on http://{host}:{port}/ with {server} (Ctrl+C to stop)")
        self.stdout.flush()
        try:
            if server == "granian":
                self._granian(host, port, workers, threads)
            elif server == "gunicorn":
                self._gunicorn(host, port, workers, threads)
            else:
                self._waitress(host, port, workers * threads)
        finally:
            # gunicorn's workers are forks of this process and leave through here too.
            if worker and os.getpid() == parent:
                worker.terminate()
                worker.wait(timeout=10)

    def _gunicorn(self, host, port, workers, threads):
        from gunicorn.app.base import BaseApplication

        options = {
            "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            # Proxy headers are handled by kohoshi.core.proxy.TrustedProxy, for every server alike.
            "forwarded_allow_ips": "",
            "keepalive": 5,
            "graceful_timeout": 20,
            "timeout": 120,  # a 50 MB PDF upload on a slow line
            "accesslog": None,  # kohoshi.access (JSON) logs every request
            "errorlog": "-",
            "logconfig_dict": _JSON_LOGGING,
            "proc_name": "kohoshi",
        }
        application = self._application

        class Server(BaseApplication):
            def load_config(self):
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self):
                return application()

        Server().run()

    def _granian(self, host, port, workers, threads):
        from granian import Granian

        # granian's processes set their own SIGTERM handling. A worker stopped while still starting
        # can miss its stop and wait for ever, and the main process with it (granian 2.8, seen in
        # test_serve.py on a loaded machine): one that has not stopped after 15 s is killed.
        Granian(
            "kohoshi.core.served:application", address=host, port=port, interface="wsgi", workers=workers,
            blocking_threads=threads, respawn_failed_workers=True, workers_kill_timeout=15,
            log_dictconfig=_JSON_LOGGING,
        ).serve()

    def _waitress(self, host, port, threads):
        from waitress import serve

        # A body larger than the PDF upload is refused by waitress (413) before it is buffered.
        serve(self._application(), host=host, port=port, threads=threads, ident="kohoshi",
              max_request_body_size=settings.KOHOSHI_STAFF_BODY_MAX)

    @staticmethod
    def _application():
        from kohoshi.core.proxy import TrustedProxy
        from kohoshi.wsgi import application

        return TrustedProxy(application, settings.KOHOSHI_TRUSTED_PROXY, settings.KOHOSHI_TRUSTED_PROXY_HEADERS)
