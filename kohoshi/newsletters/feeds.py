from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse

from kohoshi.places.models import Municipality

from .models import Issue


class LatestIssuesFeed(Feed):
    title = "kohoshi 新着の広報紙"
    description = "全国の自治体の広報紙の新しい号"

    def link(self):
        return reverse("newsletters:home")

    def items(self):
        return Issue.objects.published().with_place().newest_first()[:30]

    def item_title(self, item):
        return f"{item.newsletter.municipality.full_name} {item.title}"

    def item_description(self, item):
        return f"{item.newsletter.title} {item.published_on:%Y年%-m月%-d日}発行"

    def item_pubdate(self, item):
        return item.issued_at


class MunicipalityIssuesFeed(LatestIssuesFeed):
    def get_object(self, request, code):
        return get_object_or_404(Municipality.objects.select_related("prefecture"), code=code)

    def title(self, obj):
        return f"{obj.full_name}の広報紙"

    def description(self, obj):
        return f"{obj.full_name}が発行する広報紙の新しい号"

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return Issue.objects.published().for_municipality(obj).with_place().newest_first()[:30]
