from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "kohoshi.subscriptions"
    verbose_name = "購読と通知"

    def ready(self):
        from kohoshi.newsletters.signals import issue_changed

        from .receivers import on_issue_changed

        issue_changed.connect(on_issue_changed, dispatch_uid="kohoshi.subscriptions.issue_changed")
