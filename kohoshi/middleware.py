"""Site-wide request checks, before any view runs.

NulRejectMiddleware: a NUL character in the path, the query string, a cookie or a form field
is never meaningful here, and PostgreSQL refuses it in a text parameter (a 500 deep inside
whichever view passed it on). Refusing it once, at the door, covers every view and every
future one.
"""
from django.core.exceptions import BadRequest

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


class NulRejectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if (
            "\x00" in request.path_info
            or "%00" in query
            or "\x00" in query
            or _has_nul(request.GET.keys())
            or _has_nul(v for values in request.GET.lists() for v in values[1])
            or _has_nul(request.COOKIES.values())
            or _has_nul(request.COOKIES.keys())
        ):
            raise BadRequest("NUL character in the request")
        if request.method == "POST" and request.content_type in _FORM_TYPES:
            # Uploaded files may hold NUL bytes; only the text fields are checked.
            if _has_nul(request.POST.keys()) or _has_nul(v for _, values in request.POST.lists() for v in values):
                raise BadRequest("NUL character in a form field")
        return self.get_response(request)
