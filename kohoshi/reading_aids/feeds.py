"""The podcast of a newsletter: RSS 2.0 with an MP3 enclosure per read-aloud article and the
itunes tags podcast apps read."""
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed

from kohoshi.newsletters.links import site_url
from kohoshi.newsletters.models import Article, Newsletter

from .models import ArticleAudio

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
VOICE_CREDIT = "音声: Open JTalk(pyopenjtalk-plus)、HTS Voice「Mei」© 名古屋工業大学(CC BY 3.0)"


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class PodcastFeedType(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:itunes": ITUNES}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("itunes:author", self.feed["author_name"])
        handler.addQuickElement("itunes:summary", self.feed["description"])
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:type", "episodic")
        handler.startElement("itunes:category", {"text": "Government"})
        handler.endElement("itunes:category")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("itunes:duration", item["duration"])
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:summary", item["description"])


class NewsletterPodcast(Feed):
    feed_type = PodcastFeedType

    def get_object(self, request, code, newsletter):
        self.request = request
        return get_object_or_404(
            Newsletter.objects.select_related("municipality__prefecture"), municipality_id=code, slug=newsletter
        )

    def title(self, obj):
        return f"{obj.title}(読み上げ)"

    def link(self, obj):
        return reverse("newsletters:newsletter", args=[obj.municipality_id, obj.slug])

    def description(self, obj):
        return f"{obj.municipality.full_name}の{obj.title}の記事を音声で。{VOICE_CREDIT}"

    def author_name(self, obj):
        return obj.municipality.full_name

    def feed_copyright(self, obj):
        return obj.credit or None

    def items(self, obj):
        return (
            ArticleAudio.objects.filter(
                status=ArticleAudio.Status.READY,
                article__in=Article.objects.published().filter(issue__newsletter=obj),
            )
            .select_related("article__issue__newsletter")
            .order_by("-article__issue__published_at", "article__position")[:100]
        )

    def item_title(self, item):
        return f"{item.article.title}({item.article.issue.title})"

    def item_description(self, item):
        return f"{item.article.issue.newsletter.title} {item.article.issue.title}"

    def item_link(self, item):
        return item.article.get_absolute_url()

    def item_guid(self, item):
        return f"{site_url(self.request)}{item.article.get_absolute_url()}#audio-{item.source_hash[:12]}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.article.issue.issued_at

    def item_enclosure_url(self, item):
        return f"{site_url(self.request)}{audio_url(item.article)}"

    def item_enclosure_length(self, item):
        return item.size_bytes

    item_enclosure_mime_type = "audio/mpeg"

    def item_extra_kwargs(self, item):
        return {"duration": _duration(item.duration_seconds)}


def audio_url(article) -> str:
    newsletter = article.issue.newsletter
    return reverse(
        "reading_aids:article_audio",
        args=[newsletter.municipality_id, newsletter.slug, article.issue.slug, article.number],
    )
