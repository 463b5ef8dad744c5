import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohoshi.settings")
application = get_wsgi_application()

# This process writes the article views it counted into its cache (kohoshi.engagement.viewbuffer)
# every few seconds and at exit.
from django.conf import settings  # noqa: E402

from kohoshi.engagement.viewbuffer import flusher_start  # noqa: E402

flusher_start(settings.KOHOSHI_VIEWS_FLUSH_SECONDS)
