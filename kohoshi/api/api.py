"""The public HTTP API, version 1: thin adapters over the apps' services.

Add an area with its own module and router: `api.add_router("/things", things.router)`.
"""
from ninja import NinjaAPI

from . import search

api = NinjaAPI(
    title="kohoshi API",
    version="1",
    description="広報紙の記事を検索する公開API",
    urls_namespace="v1",
)
api.add_router("/search", search.router)
