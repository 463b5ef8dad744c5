from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Project-wide commands that belong to no domain app (`kohoshi serve`, `worker`, `backup`, `restore`). No models."""

    name = "kohoshi.core"
    label = "core"
