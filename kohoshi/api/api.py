"""The public HTTP API, version 1: thin adapters over the apps' services.

Add an area with its own module and router: `api.add_router("/things", things.router)`.
"""
import logging

from django.db import InterfaceError, OperationalError
from ninja import NinjaAPI

from . import search

logger = logging.getLogger("django.request")

api = NinjaAPI(
    title="kohoshi API",
    version="1",
    description="広報紙の記事を検索する公開API",
    urls_namespace="v1",
)
api.add_router("/search", search.router)


# An API client reads JSON: without these, a database outage or a bug would answer with the
# site's HTML error page.
@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request, exc):
    logger.error("API %s: database unavailable: %s", request.path, exc)
    response = api.create_response(
        request, {"detail": "データベースに接続できません。しばらくしてからもう一度お試しください。"}, status=503
    )
    response["Retry-After"] = "30"
    return response


@api.exception_handler(Exception)
def internal_error(request, exc):
    logger.exception("API %s failed", request.path)
    return api.create_response(request, {"detail": "サーバーでエラーが起きました。"}, status=500)
