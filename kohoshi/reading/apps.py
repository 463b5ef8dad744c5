from django.apps import AppConfig


class ReadingConfig(AppConfig):
    """The public reading site: home, prefecture, municipality, newsletter, issue and article pages
    and the reader settings. It sits at the top with staff and api because a reading page brings
    together newsletters, view counts and surveys (engagement), and later reading aids."""

    name = "kohoshi.reading"
    label = "reading"

    def ready(self):
        from .receivers import connect

        connect()
