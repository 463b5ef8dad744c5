import re

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from kohoshi.newsletters.models import Article

from .models import ArticleAudio

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@require_safe
def article_audio(request, code, newsletter, issue, number):
    """The MP3 of a published article. Served through Django (MEDIA_ROOT is not public), with
    byte ranges: Safari will not play audio without them, and seeking needs them."""
    article = get_object_or_404(
        Article.objects.published(),
        issue__newsletter__municipality_id=code,
        issue__newsletter__slug=newsletter,
        issue__slug=issue,
        number=number,
    )
    audio = ArticleAudio.objects.filter(article=article, status=ArticleAudio.Status.READY).first()
    if audio is None or not audio.file:
        raise Http404
    size = audio.file.size
    match = _RANGE.match(request.headers.get("Range", ""))
    if match and (match.group(1) or match.group(2)):
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        else:  # the last N bytes
            start, end = max(size - int(match.group(2)), 0), size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        with audio.file.open("rb") as f:
            f.seek(start)
            data = f.read(end - start + 1)
        response = HttpResponse(data, status=206, content_type="audio/mpeg")
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(audio.file.open("rb"), content_type="audio/mpeg")
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "public, max-age=3600"
    return response
