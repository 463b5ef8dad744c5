"""The writer of figures (図・写真), beside services.py, which writes newsletters, issues and
articles: a PDF run stores the figures it cropped, staff describe them. A figure is public only
once it has a text alternative (`Figure.objects.public()`)."""
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from kohoshi.accounts.policy import Action, require

from .models import Article, Figure
from .services import _locked_article, _recorded

ALT_MAX_LENGTH = Figure._meta.get_field("alt").max_length


@dataclass(frozen=True)
class FigureInput:
    page: int
    image: bytes  # JPEG
    width: int
    height: int


def figures_replace(article: Article, *, figures: list[FigureInput], by) -> list[Figure]:
    """The article's figures become exactly `figures` (a PDF run filling its draft again). Their
    text alternatives start empty: staff write them in review. Old image files are removed once
    the transaction has committed."""
    require(by, article.issue.newsletter.municipality, Action.EDIT)
    old_files = list(Figure.objects.filter(article=article).values_list("image", flat=True))
    saved: list[str] = []
    try:
        with transaction.atomic():
            Figure.objects.filter(article=article).delete()
            created = []
            for position, item in enumerate(figures, start=1):
                figure = Figure(article=article, position=position, page=item.page, width=item.width, height=item.height)
                name = f"{article.issue.newsletter.slug}-{article.issue.slug}-{article.number}-{position}.jpg"
                figure.image.save(name, ContentFile(item.image), save=False)
                saved.append(figure.image.name)
                figure.save()
                created.append(figure)
            if old_files:
                transaction.on_commit(lambda: _files_delete(old_files))
    except BaseException:
        _files_delete(saved)
        raise
    return created


def figure_alt_update(figure: Figure, *, alt: str, by) -> Figure:
    """Describe a figure for readers who cannot see it; an empty text takes it off the public page."""
    alt = " ".join(alt.split())
    if len(alt) > ALT_MAX_LENGTH:
        raise ValidationError(f"代替テキストは{ALT_MAX_LENGTH}文字以内で入力してください")
    with transaction.atomic():
        issue, article = _locked_article(figure.article, by=by)
        figure = Figure.objects.select_for_update().get(pk=figure.pk)
        if figure.alt == alt:
            return figure
        figure.alt = alt
        figure.save(update_fields=["alt", "updated_at"])
        state = "公開" if alt else "非公開(代替テキストなし)"
        _recorded(
            issue, by=by, action="figure.alt", target=figure,
            summary=f"{article.title} / 図{figure.position}: {alt or '—'} → {state}",
        )
    return figure


def _files_delete(names: list[str]) -> None:
    storage = Figure._meta.get_field("image").storage
    for name in names:
        if name:
            storage.delete(name)
