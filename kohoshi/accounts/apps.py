from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kohoshi.accounts"
    label = "accounts"
    verbose_name = "担当者と操作記録"
