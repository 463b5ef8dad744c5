from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "kohoshi.engagement"
    label = "engagement"
