"""Back to paper: QR codes (二次元コード) for the printed newsletter, per issue and per article,
pointing at the stable public URL (/m/<code>/<newsletter>/<issue>/<number>/). Staff make them
before publishing, so a draft's code works once the issue is public. segno writes both formats
without an image library."""
import io

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from kohoshi.accounts.policy import municipality_for_staff_or_404
from kohoshi.newsletters.links import site_url

from .workspace import _article_or_404, _issue_or_404

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
# Module size in the file: 10 px (PNG) / 10 user units (SVG) — about 3 cm at 300 dpi for a
# typical URL; printers scale the SVG freely. The quiet zone is the standard 4 modules.
SCALE = 10
BORDER = 4


def qr_file(url: str, kind: str, *, title: str) -> bytes:
    """The QR code of `url` as SVG or PNG (error correction M: survives a smudge on newsprint)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=SCALE, border=BORDER, xmldecl=True, title=title, desc=url, unit=None)
    else:
        code.save(out, kind="png", scale=SCALE, border=BORDER)
    return out.getvalue()


def _download(request, url: str, kind: str, *, title: str, filename: str) -> HttpResponse:
    if kind not in FORMATS:
        raise Http404
    response = HttpResponse(qr_file(url, kind, title=title), content_type=FORMATS[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response


@require_safe
@login_required
def issue_qr(request, code, issue_id, kind):
    town = municipality_for_staff_or_404(request.user, code)
    edition = _issue_or_404(town, issue_id)
    return _download(
        request, site_url(request) + edition.get_absolute_url(), kind,
        title=edition.title, filename=f"qr-{town.code}-{edition.newsletter.slug}-{edition.slug}",
    )


@require_safe
@login_required
def article_qr(request, code, article_id, kind):
    town = municipality_for_staff_or_404(request.user, code)
    article = _article_or_404(town, article_id)
    issue = article.issue
    return _download(
        request, site_url(request) + article.get_absolute_url(), kind,
        title=article.title, filename=f"qr-{town.code}-{issue.newsletter.slug}-{issue.slug}-{article.number}",
    )
