from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class NameReading(models.Model):
    """A municipality's reading of a place or personal name (苫小牧 → とまこまい), applied to
    furigana and read-aloud alike. Edited by staff in the admin; saving one recomputes that
    municipality's readings in the background."""

    municipality = models.ForeignKey("places.Municipality", on_delete=models.CASCADE, related_name="name_readings")
    surface = models.CharField(
        _("表記"), max_length=40,
        validators=[RegexValidator(r"[\u3400-\u9fff々ヶ]", _("漢字を含む表記を入力してください。"))],
    )
    reading = models.CharField(
        _("読み(ひらがな)"), max_length=80,
        validators=[RegexValidator(r"^[\u3041-\u3096ー]+$", _("読みはひらがなで入力してください。"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["municipality", "surface"]
        verbose_name = _("地名・人名の読み")
        verbose_name_plural = _("地名・人名の読み")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "surface"], name="name_reading_unique"),
            models.CheckConstraint(condition=~models.Q(surface=""), name="name_reading_surface_not_empty"),
            models.CheckConstraint(condition=~models.Q(reading=""), name="name_reading_reading_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.surface}({self.reading})"


class ArticleFurigana(models.Model):
    """The article's title and body with <ruby> readings, computed when the article is written.
    `source_hash` covers the title, the stored body and the municipality's name readings: when
    it no longer matches, the readings are computed again."""

    article = models.OneToOneField("newsletters.Article", on_delete=models.CASCADE, related_name="furigana")
    source_hash = models.CharField(max_length=64)
    title_html = models.TextField()
    body_html = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)


class ArticleAudio(models.Model):
    """The article read aloud (MP3), made by a background task when an issue is published or an
    article edited. `source_hash` is the hash of the prepared speech text (the podcast's guids
    name it); `inputs_hash` the hash of what that text is made from (title, stored body, the
    municipality's name readings), which the article page compares cheaply."""

    class Status(models.TextChoices):
        PENDING = "pending", _("準備中")
        READY = "ready", _("準備完了")
        FAILED = "failed", _("失敗")

    article = models.OneToOneField("newsletters.Article", on_delete=models.CASCADE, related_name="audio")
    source_hash = models.CharField(max_length=64)
    inputs_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="audio/", blank=True)
    engine = models.CharField(max_length=40, blank=True)
    duration_seconds = models.FloatField(default=0)
    size_bytes = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(file=""), name="article_audio_ready_has_file"
            ),
        ]

    @property
    def minutes(self) -> int:
        return int(round(self.duration_seconds)) // 60

    @property
    def seconds(self) -> int:
        return int(round(self.duration_seconds)) % 60


class ArticleTranslation(models.Model):
    """The article machine-translated into one language, made by a background task the first
    time a reader asks for it (and again after the article is edited). `source_hash` covers the
    title, the stored body and the backend that translated them: when it no longer matches, the
    translation is made again and the page says so meanwhile instead of showing the old one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("準備中")
        READY = "ready", _("準備完了")
        FAILED = "failed", _("失敗")

    article = models.ForeignKey("newsletters.Article", on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10)
    source_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    title = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    backend = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("記事の機械翻訳")
        verbose_name_plural = _("記事の機械翻訳")
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="article_translation_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(title=""), name="article_translation_ready_has_title"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.language} ({self.status})"
