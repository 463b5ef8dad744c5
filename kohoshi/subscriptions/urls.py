from django.urls import path

from . import views

app_name = "subscriptions"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("sent/", views.sent, name="sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("push/key.json", views.push_key, name="push_key"),
    path("push/", views.push_register, name="push_register"),
    path("push/delete/", views.push_unregister, name="push_unregister"),
    path("line/<str:code>/webhook/", views.line_webhook, name="line_webhook"),
]
