from datetime import datetime, time

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohoshi.places.models import Municipality

from .formatting import plain_text


class Category(models.Model):
    """Article categories (くらし, 子育て, …); extendable in the admin."""

    slug = models.SlugField(_("スラッグ"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=100)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("カテゴリ")
        verbose_name_plural = _("カテゴリ")

    def __str__(self) -> str:
        return self.name


class Newsletter(models.Model):
    """広報紙: a municipality's periodical, e.g. 広報とまこまい."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="newsletters")
    title = models.CharField(_("広報紙名"), max_length=100)
    slug = models.SlugField(_("URL名"), max_length=40)
    description = models.TextField(_("説明"), blank=True)
    # Shown under every article, e.g. the licence of imported open data (CC BY 4.0 needs credit).
    credit = models.CharField(_("出典・ライセンス表示"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["municipality", "pk"]
        verbose_name = _("広報紙")
        verbose_name_plural = _("広報紙")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="newsletter_slug_unique"),
            models.UniqueConstraint(fields=["municipality", "title"], name="newsletter_title_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsletters:newsletter", args=[self.municipality_id, self.slug])


class IssueQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(status=Issue.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def for_municipality(self, municipality):
        return self.filter(newsletter__municipality=municipality)

    def newest_first(self):
        return self.order_by("-published_on", "-pk")

    def with_place(self):
        return self.select_related("newsletter__municipality__prefecture")


class Issue(models.Model):
    """号: one edition of a newsletter."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        PUBLISHED = "published", _("公開")

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="issues")
    title = models.CharField(_("号タイトル"), max_length=200)
    number = models.CharField(_("号数"), max_length=40, blank=True)
    published_on = models.DateField(_("発行日"))
    slug = models.SlugField(_("URL名"), max_length=40)
    status = models.CharField(_("状態"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Public from this moment on when status is published; a future value schedules the issue.
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    source_pdf = models.FileField(_("紙面PDF"), upload_to="issues/%Y/", blank=True)
    # Fingerprint of the imported content: a re-import of the same file changes nothing.
    source_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("号")
        verbose_name_plural = _("号")
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "slug"], name="issue_slug_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="issue_published_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def municipality(self) -> Municipality:
        return self.newsletter.municipality

    @property
    def issued_at(self) -> datetime:
        """When the issue came out, for feeds and sitemaps: its publish time when that is no later
        than its date (a scheduled issue), else the start of its date. A back issue imported today
        keeps its own date instead of looking new."""
        if self.published_at and timezone.localdate(self.published_at) <= self.published_on:
            return timezone.localtime(self.published_at)
        return timezone.make_aware(datetime.combine(self.published_on, time.min))

    def is_public(self, now=None) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (now or timezone.now())
        )

    def get_absolute_url(self) -> str:
        return reverse(
            "newsletters:issue", args=[self.newsletter.municipality_id, self.newsletter.slug, self.slug]
        )


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(
            issue__status=Issue.Status.PUBLISHED, issue__published_at__lte=now or timezone.now()
        )

    def for_municipality(self, municipality):
        return self.filter(issue__newsletter__municipality=municipality)

    def with_place(self):
        return self.select_related("issue__newsletter__municipality__prefecture", "category")


class Article(models.Model):
    """記事: one article of an issue.

    `number` is given once, when the article is made, and names it in its URL; `position` is its
    place in the issue (1..N) and may change when staff reorder.
    """

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="articles")
    number = models.PositiveIntegerField(_("記事番号"))
    position = models.PositiveIntegerField(_("掲載順"))
    title = models.CharField(_("記事タイトル"), max_length=300)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    body_source = models.TextField(_("本文(原文)"))
    body_html = models.TextField(_("本文(HTML)"))
    # formatting.plain_text(body_source), kept beside the HTML: search snippets, the page's
    # description and the feeds read it on every request (parsing the source cost 0.2–1 ms each).
    # Read it as plain_body: articles stored before it existed have it empty until
    # `kohoshi render_bodies --apply`.
    body_text = models.TextField(_("本文(テキスト)"), blank=True, editable=False)
    pages = models.CharField(_("掲載ページ"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["issue", "position"]
        verbose_name = _("記事")
        verbose_name_plural = _("記事")
        constraints = [
            models.UniqueConstraint(fields=["issue", "number"], name="article_number_unique"),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="article_position_positive"),
        ]
        indexes = [models.Index(fields=["issue", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def plain_body(self) -> str:
        """The body as plain text: stored, or made from the source where it is not yet."""
        if self.body_text or not self.body_source:
            return self.body_text
        return plain_text(self.body_source)

    def get_absolute_url(self) -> str:
        newsletter = self.issue.newsletter
        return reverse(
            "newsletters:article",
            args=[newsletter.municipality_id, newsletter.slug, self.issue.slug, self.number],
        )


class FigureQuerySet(models.QuerySet):
    def public(self):
        """Figures a reader sees: those staff have described. A figure without a text
        alternative is not published (the reader who cannot see it would get nothing)."""
        return self.exclude(alt="")


class Figure(models.Model):
    """図・写真: a region of the 紙面PDF holding a photo or a figure, cropped as an image and shown
    with its article once staff have written its alternative text (alt)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="figures")
    position = models.PositiveSmallIntegerField(_("表示順"))
    page = models.PositiveIntegerField(_("紙面のページ"))
    image = models.FileField(_("画像"), upload_to="figures/%Y/")
    width = models.PositiveIntegerField(_("幅"))
    height = models.PositiveIntegerField(_("高さ"))
    alt = models.CharField(_("代替テキスト"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["article", "position"]
        verbose_name = _("図・写真")
        verbose_name_plural = _("図・写真")
        constraints = [models.UniqueConstraint(fields=["article", "position"], name="figure_position_unique")]

    def __str__(self) -> str:
        return self.alt or f"{self.article} ({self.position})"

    def get_absolute_url(self) -> str:
        article = self.article
        newsletter = article.issue.newsletter
        return reverse(
            "newsletters:figure",
            args=[newsletter.municipality_id, newsletter.slug, article.issue.slug, article.number, self.pk],
        )
