"""Create the Wagtail pages from a JSON list of kohoshi articles (title, slug, category, body)."""
import json
import sys

import django

django.setup()
from wagtail.models import Page  # noqa: E402

from bench_site.models import ArticlePage  # noqa: E402

home = Page.objects.get(depth=2)
if not ArticlePage.objects.exists():
    for item in json.load(open(sys.argv[1])):
        home.add_child(instance=ArticlePage(title=item["title"], slug=item["slug"], category=item["category"],
                                            body=item["body"]))
print(ArticlePage.objects.get(slug=json.load(open(sys.argv[1]))[int(sys.argv[2])]["slug"]).url)
