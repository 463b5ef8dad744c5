"""Every write of reading_aids: furigana, audio and machine translations of articles, kept in step with the articles
through `newsletters.signals.issue_changed` (after the commit of every write to an issue).

Readings are computed when an article is written and stored (ArticleFurigana), never while a
page is served; audio is made by a background task (tasks.py) for published issues.
"""
import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kohoshi.newsletters.models import Article, Issue

from . import speech
from .models import ArticleAudio, ArticleFurigana, ArticleTranslation, NameReading
from .translation import backends as translation_backends
from .translation.languages import LANGUAGES
from .translation.segments import texts_of, translate_html
from .ruby import ruby_html, ruby_text

logger = logging.getLogger(__name__)

# Bump when the readings or the speech preparation change, so stored results are made again.
FURIGANA_VERSION = "1"
AUDIO_VERSION = "1"
TRANSLATION_VERSION = "1"
# A translation asked for again after this long while still pending (a lost task) or failed is
# queued again; sooner, the reader sees the page's notice and no new work is queued.
TRANSLATION_RETRY = timedelta(minutes=10)


def names_for(municipality_id: str) -> dict[str, str]:
    """The municipality's name readings, surface → hiragana."""
    return dict(NameReading.objects.filter(municipality_id=municipality_id).values_list("surface", "reading"))


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _names_key(names: dict[str, str]) -> str:
    return "\n".join(f"{s}\t{r}" for s, r in sorted(names.items()))


def furigana_refresh(article: Article, *, names: dict[str, str] | None = None) -> bool:
    """Compute the article's ruby title and body unless the stored ones are current; True when
    they were computed."""
    if names is None:
        names = names_for(article.issue.newsletter.municipality_id)
    source_hash = _hash(FURIGANA_VERSION, article.title, article.body_html, _names_key(names))
    current = ArticleFurigana.objects.filter(article=article, source_hash=source_hash).exists()
    if current:
        return False
    ArticleFurigana.objects.update_or_create(
        article=article,
        defaults={
            "source_hash": source_hash,
            "title_html": ruby_text(article.title, names=names),
            "body_html": ruby_html(article.body_html, names=names),
        },
    )
    return True


def furigana_refresh_articles(articles, *, names_by_town: dict | None = None) -> int:
    names_by_town = names_by_town if names_by_town is not None else {}
    done = 0
    for article in articles.select_related("issue__newsletter"):
        town = article.issue.newsletter.municipality_id
        if town not in names_by_town:
            names_by_town[town] = names_for(town)
        done += furigana_refresh(article, names=names_by_town[town])
    return done


def furigana_refresh_issue(issue_id: int) -> int:
    return furigana_refresh_articles(Article.objects.filter(issue_id=issue_id))


def furigana_for(article: Article) -> ArticleFurigana | None:
    """The stored ruby of the article if it is current (never computed here)."""
    stored = ArticleFurigana.objects.filter(article=article).first()
    if stored is None:
        return None
    names = names_for(article.issue.newsletter.municipality_id)
    if stored.source_hash != _hash(FURIGANA_VERSION, article.title, article.body_html, _names_key(names)):
        return None  # the article changed and the task has not caught up: plain text, not stale ruby
    return stored


def _script(article: Article, names: dict[str, str]):
    return speech.speech_script(article.title, article.body_html, names=names)


def _script_hash(script) -> str:
    return _hash(AUDIO_VERSION, speech.ENGINE, *(f"{b.kind}:{b.text}" for b in script))


def _audio_inputs_hash(article: Article, names: dict[str, str]) -> str:
    """What the speech text is made from: checking it costs a hash, not a parse of the body."""
    return _hash(AUDIO_VERSION, speech.ENGINE, article.title, article.body_html, _names_key(names))


def audio_make(article_id: int) -> str:
    """Read the article aloud and store the MP3, unless the stored audio is current. Returns the
    status. Failures are recorded (status failed), not raised: the page says 準備中 meanwhile."""
    article = Article.objects.select_related("issue__newsletter__municipality").filter(pk=article_id).first()
    if article is None:
        return "gone"
    names = names_for(article.issue.newsletter.municipality_id)
    script = _script(article, names)
    source_hash = _script_hash(script)
    inputs_hash = _audio_inputs_hash(article, names)
    audio, _ = ArticleAudio.objects.get_or_create(article=article, defaults={"source_hash": source_hash})
    if audio.status == ArticleAudio.Status.READY and audio.source_hash == source_hash and audio.file:
        if audio.inputs_hash != inputs_hash:  # made before inputs_hash existed, or read the same
            ArticleAudio.objects.filter(pk=audio.pk).update(inputs_hash=inputs_hash)
        return audio.status
    try:
        data, seconds = speech.article_audio(
            script, title=article.title, artist=article.issue.newsletter.title
        )
    except Exception as error:  # noqa: BLE001 - recorded and shown as not ready
        logger.exception("audio for article %s failed", article_id)
        ArticleAudio.objects.filter(pk=audio.pk).update(
            status=ArticleAudio.Status.FAILED, source_hash=source_hash, error=str(error)[:300]
        )
        return ArticleAudio.Status.FAILED
    old = audio.file.name if audio.file else ""
    with transaction.atomic():
        audio = ArticleAudio.objects.select_for_update().get(pk=audio.pk)
        audio.file.save(f"{article.pk}-{source_hash[:12]}.mp3", ContentFile(data), save=False)
        audio.source_hash = source_hash
        audio.inputs_hash = inputs_hash
        audio.status = ArticleAudio.Status.READY
        audio.engine = speech.ENGINE
        audio.duration_seconds = round(seconds, 2)
        audio.size_bytes = len(data)
        audio.error = ""
        audio.save()
    if old and old != audio.file.name:
        audio.file.storage.delete(old)
    return audio.status


def audio_for(article: Article) -> ArticleAudio | None:
    """The article's audio if it is ready and made from the article's current text. Reads
    `article.audio` (one query, none after `select_related("audio")`)."""
    audio = getattr(article, "audio", None)  # RelatedObjectDoesNotExist is an AttributeError
    if audio is None or audio.status != ArticleAudio.Status.READY:
        return None
    names = names_for(article.issue.newsletter.municipality_id)
    if audio.inputs_hash:
        fresh = audio.inputs_hash == _audio_inputs_hash(article, names)
    else:  # made before inputs_hash existed, until audio_make records it: the speech text itself
        fresh = audio.source_hash == _script_hash(_script(article, names))
    return audio if fresh else None


def audio_refresh_articles(article_ids) -> int:
    """Queue audio for these articles (background task each)."""
    from .tasks import make_article_audio

    ids = list(article_ids)
    for article_id in ids:
        make_article_audio.enqueue(article_id)
    return len(ids)


def issue_changed_follow(sender, *, issue_id: int, event: str, **kwargs) -> None:
    """Receiver of newsletters.signals.issue_changed: furigana for every written issue, audio
    for published (or scheduled) ones. Both run as background tasks."""
    from .tasks import refresh_issue_furigana, refresh_issue_translations

    if event == "unpublish" or not getattr(settings, "KOHOSHI_READING_AIDS_AUTO", True):
        return
    refresh_issue_furigana.enqueue(issue_id)
    if settings.KOHOSHI_TRANSLATION_BACKEND and ArticleTranslation.objects.filter(article__issue_id=issue_id).exists():
        refresh_issue_translations.enqueue(issue_id)
    issue = Issue.objects.filter(pk=issue_id).only("status").first()
    if issue is not None and issue.status == Issue.Status.PUBLISHED:
        audio_refresh_articles(Article.objects.filter(issue_id=issue_id).values_list("pk", flat=True))


def names_changed(municipality_id: str) -> None:
    """After a name reading of the municipality was added, edited or removed: its readings and
    audio are made again in the background (once the edit has committed)."""
    from .tasks import refresh_municipality_aids

    transaction.on_commit(lambda: refresh_municipality_aids.enqueue(municipality_id))


def municipality_aids_refresh(municipality_id: str) -> tuple[int, int]:
    """Furigana of every article of the municipality, and audio of its published ones."""
    articles = Article.objects.filter(issue__newsletter__municipality_id=municipality_id)
    furigana = furigana_refresh_articles(articles)
    audio = audio_refresh_articles(
        articles.filter(issue__status=Issue.Status.PUBLISHED).values_list("pk", flat=True)
    )
    return furigana, audio


# ---- machine translation -----------------------------------------------------------------

def _translation_hash(article: Article) -> str:
    return _hash(TRANSLATION_VERSION, translation_backends.identity(), article.title, article.body_html)


def translation_for(article: Article, language: str) -> ArticleTranslation | None:
    """The article's translation into `language` if it is ready and made from its current text."""
    row = ArticleTranslation.objects.filter(
        article=article, language=language, status=ArticleTranslation.Status.READY
    ).first()
    if row is None or row.source_hash != _translation_hash(article):
        return None
    return row


class TranslationLimited(Exception):
    """The reader has asked for more new translations than `may_queue` allows; nothing queued."""


def translation_request(article: Article, language: str, *, may_queue=None) -> ArticleTranslation:
    """A reader asked for the article in `language`: the current translation, or the pending (or
    failed) one whose making is queued. The task is queued once, not on every reload, unless the
    article changed since or the last request is older than TRANSLATION_RETRY. When new work
    would be queued, `may_queue()` (the caller's rate limit) is asked first; False raises
    TranslationLimited and stores nothing."""
    from .tasks import make_article_translation

    if language not in LANGUAGES:
        raise ValueError(f"no translation language {language!r}")
    source_hash = _translation_hash(article)
    now = timezone.now()
    row = ArticleTranslation.objects.filter(article=article, language=language).first()
    if row is not None:
        if row.status == ArticleTranslation.Status.READY and row.source_hash == source_hash:
            return row
        due = row.source_hash != source_hash or row.requested_at is None or row.requested_at < now - TRANSLATION_RETRY
        if not due:
            return row
    if may_queue is not None and not may_queue():
        raise TranslationLimited
    if row is None:
        row, created = ArticleTranslation.objects.get_or_create(
            article=article, language=language, defaults={"source_hash": source_hash, "requested_at": now}
        )
        claimed = created  # another reader's request got there first: theirs queued the task
    else:
        changes = {"requested_at": now}
        if row.source_hash != source_hash:  # the article changed: the old text is not shown meanwhile
            changes.update(source_hash=source_hash, status=ArticleTranslation.Status.PENDING, error="")
        # Only the request that moves requested_at on queues the task (two readers at once: one task).
        claimed = ArticleTranslation.objects.filter(pk=row.pk, requested_at=row.requested_at).update(**changes)
        if claimed:
            for field, value in changes.items():
                setattr(row, field, value)
    if claimed:
        transaction.on_commit(lambda: make_article_translation.enqueue(article.pk, language))
    return row


def translation_make(article_id: int, language: str) -> str:
    """Translate the article's title and body into `language` with the configured backend and
    store them, unless the stored translation is current. Returns the status; a failure is
    recorded (status failed, the backend's error), not raised."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None or language not in LANGUAGES:
        return "gone"
    backend = translation_backends.configured_backend()
    if backend is None:
        return "off"
    source_hash = _translation_hash(article)
    row, _ = ArticleTranslation.objects.get_or_create(
        article=article, language=language, defaults={"source_hash": source_hash, "requested_at": timezone.now()}
    )
    if row.status == ArticleTranslation.Status.READY and row.source_hash == source_hash:
        return row.status
    try:
        wanted = list(dict.fromkeys([article.title, *texts_of(article.body_html)]))
        got = backend.translate(wanted, source="ja", target=language)
        if len(got) != len(wanted):
            raise translation_backends.TranslationError(f"{backend.name}: {len(wanted)} texts, {len(got)} translations")
        done = dict(zip(wanted, got))
        empty = [t for t in wanted if t.strip() and not (done[t] or "").strip()]
        if empty:
            raise translation_backends.TranslationError(f"{backend.name}: empty translation of {empty[0][:40]!r}")
        body = translate_html(article.body_html, lambda texts: [done[t] for t in texts])
        title = done[article.title].strip()
    except translation_backends.TranslationError as error:
        logger.warning("translation of article %s into %s failed: %s", article_id, language, error)
        row.status = ArticleTranslation.Status.FAILED
        row.source_hash = source_hash
        row.error = str(error)[:300]
        row.save()
        return row.status
    row.status = ArticleTranslation.Status.READY
    row.source_hash = source_hash
    row.title = title
    row.body_html = body
    row.backend = backend.name
    row.error = ""
    row.save()
    return row.status


def translations_refresh_issue(issue_id: int) -> int:
    """After the issue was written: its articles' existing translations that no longer match
    their text are made again (none is made for a language nobody asked for). Returns how many."""
    if not translation_backends.configured_backend():
        return 0
    done = 0
    rows = ArticleTranslation.objects.filter(article__issue_id=issue_id).select_related("article")
    for row in rows:
        if row.source_hash != _translation_hash(row.article) or row.status != ArticleTranslation.Status.READY:
            translation_make(row.article_id, row.language)
            done += 1
    return done
