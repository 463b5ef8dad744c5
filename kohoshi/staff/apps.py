from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "kohoshi.staff"
    label = "staff"
