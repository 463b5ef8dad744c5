from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "kohoshi.ingest"
    label = "ingest"
