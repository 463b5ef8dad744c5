"""Every write to surveys and reading statistics goes through here."""
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kohoshi.accounts.audit import audit_record
from kohoshi.accounts.policy import Action, require
from kohoshi.newsletters.models import Article

from . import viewbuffer
from .models import SurveyQuestion, SurveyResponse
from .questions import DEFAULTS_BY_KEY, RATING_CHOICES_MAX, RATING_CHOICES_MIN, RATING_KEYS


# Crawlers, link previewers, monitors and command-line clients announce themselves; an empty
# User-Agent is almost never a person with a browser.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|scrape|archiver|preview|fetch|monitor|check|scan|python|curl|wget|"
    r"httpclient|go-http|java/|okhttp|axios|node-fetch|headless|lighthouse|facebookexternalhit|"
    r"embedly|whatsapp|skypeuripreview|bingpreview|mediapartners|adsbot|feed",
    re.IGNORECASE,
)


def is_bot_user_agent(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOT_USER_AGENT.search(user_agent))


def article_view_record(article: Article | int, *, user_agent: str, day=None) -> bool:
    """Count one view of an article (or of the article with this id: the reading pages count by
    id, without making an instance) for today; bots are not counted. Returns whether it was.

    The count goes to the cache (an atomic increment), not the database: reading pages never
    write, so they never wait for an import's transaction. `article_views_flush` writes the
    counts in batches (kohoshi.engagement.viewbuffer explains why none is lost).
    """
    if is_bot_user_agent(user_agent):
        return False
    viewbuffer.add(article if type(article) is int else article.pk, day or timezone.localdate())
    return True


def article_views_flush(*, everything: bool = False) -> int:
    """Write the buffered view counts to ArticleDailyViews in one transaction; returns how many
    views were written. `everything` also takes the counts of the last seconds (at shutdown)."""
    return viewbuffer.flush(everything=everything)


def survey_response_create(
    article: Article,
    *,
    helpful: str = "",
    clarity: str = "",
    comment: str = "",
    age_band: str = "",
    area: str = "",
) -> SurveyResponse:
    """Store one reader's answers. The caller validated them against the municipality's questions."""
    return SurveyResponse.objects.create(
        article=article,
        municipality_id=article.issue.newsletter.municipality_id,
        helpful=helpful,
        clarity=clarity,
        comment=comment.strip()[:1000],
        age_band=age_band,
        area=area,
    )


def survey_question_update(municipality, *, key: str, text: str, choices: list[str], enabled: bool, by):
    """Reword one survey question of a municipality (its first edit copies the default)."""
    require(by, municipality, Action.EDIT)
    default = DEFAULTS_BY_KEY.get(key)
    if default is None:
        raise ValidationError("未知の設問です")
    choices = [c.strip() for c in choices if c.strip()]
    if default.is_text:
        choices = []
    elif key in RATING_KEYS and not RATING_CHOICES_MIN <= len(choices) <= RATING_CHOICES_MAX:
        raise ValidationError(f"選択肢は{RATING_CHOICES_MIN}〜{RATING_CHOICES_MAX}個にしてください")
    elif not choices:
        raise ValidationError("選択肢を1つ以上入力してください")
    if len(set(choices)) != len(choices):
        raise ValidationError("同じ選択肢が重複しています")
    with transaction.atomic():
        question, _ = SurveyQuestion.objects.update_or_create(
            municipality=municipality,
            key=key,
            defaults={"text": text.strip() or default.text, "choices": "\n".join(choices), "enabled": enabled},
        )
        audit_record(
            actor=by, action="survey.question", target=question, municipality=municipality,
            summary=f"{key}: {question.text}",
        )
    return question
