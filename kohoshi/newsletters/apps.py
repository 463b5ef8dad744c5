from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "kohoshi.newsletters"
    label = "newsletters"
