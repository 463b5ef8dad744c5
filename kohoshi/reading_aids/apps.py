from django.apps import AppConfig


class ReadingAidsConfig(AppConfig):
    name = "kohoshi.reading_aids"
    verbose_name = "読みの支援(ふりがな・読み上げ)"

    def ready(self):
        from kohoshi.newsletters.signals import issue_changed

        from .services import issue_changed_follow

        issue_changed.connect(issue_changed_follow, dispatch_uid="reading_aids.issue_changed_follow")
