"""Reader surveys (アンケート) and reading statistics.

Nothing here identifies a reader: no IP address, no user agent, no cookie value is stored.
"""
from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from kohoshi.newsletters.models import Article
from kohoshi.places.models import Municipality


class SurveyQuestion(models.Model):
    """A municipality's wording of one of the survey's fixed questions.

    The survey has a fixed set of slots (`Key`) so that answers stay comparable and can be
    charted; a municipality may reword each one, change its choices and switch the optional
    ones off. Without a row the default in `kohoshi.engagement.questions` applies.
    """

    class Key(models.TextChoices):
        HELPFUL = "helpful", _("役に立ちましたか")
        CLARITY = "clarity", _("わかりやすさ")
        COMMENT = "comment", _("ご意見・ご感想")
        AGE_BAND = "age_band", _("年代")
        AREA = "area", _("お住まいの地域")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="survey_questions")
    key = models.CharField(_("設問"), max_length=12, choices=Key.choices)
    text = models.CharField(_("設問文"), max_length=200)
    # One choice per line; empty for the free-text comment.
    choices = models.TextField(_("選択肢(1行に1つ)"), blank=True)
    enabled = models.BooleanField(_("使う"), default=True)

    class Meta:
        verbose_name = _("アンケートの設問")
        verbose_name_plural = _("アンケートの設問")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "key"], name="survey_question_unique"),
            models.CheckConstraint(
                condition=models.Q(key__in=["helpful", "clarity", "comment", "age_band", "area"]),
                name="survey_question_key_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.key}: {self.text}"

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class SurveyResponseQuerySet(models.QuerySet):
    def for_municipality(self, municipality):
        return self.filter(municipality=municipality)

    def with_article(self):
        return self.select_related("article__issue__newsletter")

    def with_comment(self):
        return self.exclude(comment="")


class SurveyResponse(models.Model):
    """One reader's answer about one article. Answers are kept as the label the reader saw."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="survey_responses")
    # Denormalised from the article so that every staff query starts from the municipality.
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="survey_responses")
    helpful = models.CharField(_("役に立ちましたか"), max_length=60, blank=True)
    clarity = models.CharField(_("わかりやすさ"), max_length=60, blank=True)
    comment = models.TextField(_("ご意見・ご感想"), max_length=1000, blank=True)
    age_band = models.CharField(_("年代"), max_length=60, blank=True)
    area = models.CharField(_("お住まいの地域"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("回答日時"), auto_now_add=True)

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("アンケート回答")
        verbose_name_plural = _("アンケート回答")
        indexes = [models.Index(fields=["municipality", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} article {self.article_id}"


class ArticleDailyViewsQuerySet(models.QuerySet):
    def for_municipality(self, municipality):
        return self.filter(article__issue__newsletter__municipality=municipality)

    def since(self, day):
        return self.filter(day__gte=day)

    def per_day(self):
        return self.values("day").annotate(total=Sum("views")).order_by("day")


class ArticleDailyViews(models.Model):
    """Page views of one article on one day (Asia/Tokyo): a counter, not a log."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="daily_views")
    day = models.DateField(_("日付"))
    views = models.PositiveIntegerField(_("閲覧数"), default=0)

    objects = ArticleDailyViewsQuerySet.as_manager()

    class Meta:
        verbose_name = _("日別閲覧数")
        verbose_name_plural = _("日別閲覧数")
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="article_daily_views_unique")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"article {self.article_id} {self.day}: {self.views}"
