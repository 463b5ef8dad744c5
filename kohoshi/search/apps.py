from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "kohoshi.search"
    label = "search"
