"""Figures (図・写真) cropped from the 紙面PDF: staff see them while the issue is a draft and write
their text alternative; a figure without one is not shown to readers."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kohoshi.accounts.policy import Action, municipality_for_staff_or_404
from kohoshi.newsletters.figures import figure_alt_update
from kohoshi.newsletters.models import Figure


def _figure_or_404(request, code: str, figure_id: int, action: Action) -> Figure:
    town = municipality_for_staff_or_404(request.user, code, action=action)
    return get_object_or_404(
        Figure.objects.select_related("article__issue__newsletter"), pk=figure_id, article__issue__newsletter__municipality=town
    )


@require_GET
@login_required
def figure_image(request, code, figure_id):
    figure = _figure_or_404(request, code, figure_id, Action.VIEW)
    response = FileResponse(figure.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@login_required
def figure_alt(request, code, figure_id):
    figure = _figure_or_404(request, code, figure_id, Action.EDIT)
    try:
        figure_alt_update(figure, alt=request.POST.get("alt", ""), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if figure.alt or request.POST.get("alt", "").strip():
            messages.success(request, _("図%(n)sの代替テキストを保存しました。記事と一緒に公開されます。") % {"n": figure.position})
        else:
            messages.success(request, _("図%(n)sの代替テキストを消しました。この図は公開されません。") % {"n": figure.position})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "staff:home"
    return redirect(target)
