from django.contrib.sitemaps import Sitemap

from .models import Article, Issue


class IssueSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Issue.objects.published().select_related("newsletter").order_by("pk")

    def lastmod(self, item):
        return item.issued_at


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Article.objects.published().select_related("issue__newsletter").order_by("pk")

    def lastmod(self, item):
        return item.issue.issued_at


SITEMAPS = {"issues": IssueSitemap, "articles": ArticleSitemap}
