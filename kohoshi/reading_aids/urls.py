from django.urls import path

from . import feeds, views

app_name = "reading_aids"
urlpatterns = [
    path("m/<str:code>/<slug:newsletter>/podcast.xml", feeds.NewsletterPodcast(), name="podcast"),
    path(
        "m/<str:code>/<slug:newsletter>/<slug:issue>/<int:number>/audio.mp3",
        views.article_audio,
        name="article_audio",
    ),
]
