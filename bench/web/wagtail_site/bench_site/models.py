from django.db import models
from wagtail.models import Page


class ArticlePage(Page):
    """One newsletter article: its category and body (HTML as kohoshi rendered it)."""

    category = models.CharField(max_length=100, blank=True)
    body = models.TextField()
