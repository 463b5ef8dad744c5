"""What every staff page shares: the municipality it acts for and what the user may do there."""
from kohoshi.accounts.policy import Action, role_allows, role_of
from kohoshi.newsletters.formatting import render_body
from kohoshi.reading_aids.readability import KANJI_RUN, LONG_SENTENCE, readability_check


def staff_context(request, town, **extra) -> dict:
    role = role_of(request.user, town)
    return {
        "municipality": town,
        "role": role,
        "can_edit": role_allows(role, Action.EDIT),
        "can_publish": role_allows(role, Action.PUBLISH),
        **extra,
    }


def is_preview(request) -> bool:
    """The article editor's プレビュー button: render the typed body, save nothing."""
    return request.method == "POST" and "preview" in request.POST


def body_preview(request, article) -> dict:
    """What readers would see: the typed body when previewing, else the saved one, and the
    やさしい日本語 check of that same body."""
    body = request.POST.get("body", "") if is_preview(request) else article.body_source
    html = render_body(body, municipality=article.issue.newsletter.municipality)
    return {
        "preview_html": html,
        "previewing": is_preview(request),
        "readability": readability_check(body),
        "long_sentence": LONG_SENTENCE,
        "kanji_run": KANJI_RUN,
    }
