from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

TEMPLATE = Path(__file__).resolve().parents[4] / "deploy" / "nginx" / "kohoshi.conf.in"


def render(*, upstreams: list[str], listen: str, static_root: str, cache_dir: str, access_log: str) -> str:
    text = TEMPLATE.read_text()
    values = {
        "UPSTREAM_SERVERS": "\n    ".join(f"server {u};" for u in upstreams),
        "LISTEN": listen,
        "STATIC_ROOT": str(static_root).rstrip("/"),
        "CACHE_DIR": cache_dir,
        "ACCESS_LOG": "off" if access_log == "off" else f"{access_log} kohoshi_json",
    }
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    return text


class Command(BaseCommand):
    help = "Print the nginx configuration (http{} level) for kohoshi: deploy/nginx/kohoshi.conf.in filled in."

    def add_arguments(self, parser):
        parser.add_argument("--upstream", action="append", default=None,
                            help="host:port of a `kohoshi serve` (repeat for several app servers)")
        parser.add_argument("--listen", default="80")
        parser.add_argument("--static-root", default=str(settings.STATIC_ROOT))
        parser.add_argument("--cache-dir", default="/var/cache/nginx/kohoshi")
        parser.add_argument("--access-log", default="/var/log/nginx/kohoshi.access.log")

    def handle(self, *args, upstream, listen, static_root, cache_dir, access_log, **options):
        self.stdout.write(render(upstreams=upstream or ["127.0.0.1:8000"], listen=listen, static_root=static_root,
                                 cache_dir=cache_dir, access_log=access_log))
