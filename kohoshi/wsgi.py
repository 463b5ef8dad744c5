import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohoshi.settings")
application = get_wsgi_application()

# This process writes the article views it counted into its cache (kohoshi.engagement.viewbuffer)
# every few seconds and at exit.
from django.conf import settings  # noqa: E402

from kohoshi.engagement.viewbuffer import flusher_start  # noqa: E402

flusher_start(settings.KOHOSHI_VIEWS_FLUSH_SECONDS)

# Everything loaded so far (Django, the URL configuration, the apps: some 110,000 objects) lives as
# long as the process. Frozen, the collector's full passes skip it: each took 29 ms on the demo
# site, a pause every request in flight on this process waited out (docs/benchmarks.md, issue 13).
import gc  # noqa: E402

gc.freeze()
