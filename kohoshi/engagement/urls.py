from django.urls import path

from . import views

app_name = "engagement"
urlpatterns = [
    path("a/<int:article_id>/", views.survey, name="survey"),
    path("a/<int:article_id>/thanks/", views.thanks, name="thanks"),
]
