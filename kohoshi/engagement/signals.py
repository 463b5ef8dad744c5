"""What other apps may listen to.

`views_written` is sent after buffered article views were committed to ArticleDailyViews
(kohoshi.engagement.viewbuffer.flush), with `article_ids`: the articles whose counts changed (the
reading site's page cache renders those municipalities' most-read lists again).
"""
from django.dispatch import Signal

views_written = Signal()
