from django_tasks import task

from . import services

# Below everything else (default priority 0): a PDF awaiting review never waits behind the audio
# of a back catalogue (`make demo` queues hundreds of articles).
FURIGANA_PRIORITY = -10
AUDIO_PRIORITY = -20
# A reader is waiting on the "preparing" page: before furigana and audio, still after ingest.
TRANSLATION_PRIORITY = -5


@task(priority=FURIGANA_PRIORITY)
def refresh_issue_furigana(issue_id: int) -> int:
    """Furigana of the issue's articles whose text changed; returns how many were computed."""
    return services.furigana_refresh_issue(issue_id)


@task(priority=AUDIO_PRIORITY)
def make_article_audio(article_id: int) -> str:
    """Read one article aloud (MP3); returns the audio's status."""
    return services.audio_make(article_id)


@task(priority=FURIGANA_PRIORITY)
def refresh_municipality_aids(municipality_id: str) -> list[int]:
    """After the municipality's name readings changed: its furigana again, its audio queued."""
    return list(services.municipality_aids_refresh(municipality_id))


@task(priority=TRANSLATION_PRIORITY)
def make_article_translation(article_id: int, language: str) -> str:
    """Machine-translate one article into one language; returns the translation's status."""
    return services.translation_make(article_id, language)


@task(priority=AUDIO_PRIORITY)
def refresh_issue_translations(issue_id: int) -> int:
    """After an edit: the issue's existing translations made again where the text changed."""
    return services.translations_refresh_issue(issue_id)
