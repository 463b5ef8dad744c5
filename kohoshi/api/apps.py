from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kohoshi.api"
    label = "api"
