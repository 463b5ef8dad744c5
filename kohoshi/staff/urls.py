from django.contrib.auth import views as auth_views
from django.urls import path

from .views import figures, ingest, qr, workspace as views
from .views.login import StaffLoginView

app_name = "staff"
urlpatterns = [
    path("login/", StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="staff:login"), name="logout"),
    path("", views.home, name="home"),
    path("m/<str:code>/", views.municipality, name="municipality"),
    path("m/<str:code>/issues/<int:issue_id>/", views.issue, name="issue"),
    path("m/<str:code>/issues/<int:issue_id>/qr.<str:kind>", qr.issue_qr, name="issue_qr"),
    path("m/<str:code>/articles/<int:article_id>/qr.<str:kind>", qr.article_qr, name="article_qr"),
    path("m/<str:code>/issues/<int:issue_id>/publish/", views.issue_publish_view, name="issue_publish"),
    path("m/<str:code>/issues/<int:issue_id>/unpublish/", views.issue_unpublish_view, name="issue_unpublish"),
    path("m/<str:code>/issues/<int:issue_id>/reorder/", views.issue_reorder_view, name="issue_reorder"),
    path("m/<str:code>/articles/<int:article_id>/edit/", views.article_edit, name="article_edit"),
    path("m/<str:code>/articles/<int:article_id>/delete/", views.article_delete_view, name="article_delete"),
    path("m/<str:code>/articles/<int:article_id>/stats/", views.article_stats, name="article_stats"),
    path("m/<str:code>/audit/", views.audit, name="audit"),
    path("m/<str:code>/dashboard/", views.dashboard, name="dashboard"),
    path("m/<str:code>/comments/", views.comments, name="comments"),
    path("m/<str:code>/survey/questions/", views.survey_questions, name="survey_questions"),
    path("m/<str:code>/export/survey.csv", views.export_survey, name="export_survey"),
    path("m/<str:code>/export/views.csv", views.export_views, name="export_views"),
    path("m/<str:code>/figures/<int:figure_id>.jpg", figures.figure_image, name="figure_image"),
    path("m/<str:code>/figures/<int:figure_id>/alt/", figures.figure_alt, name="figure_alt"),
    path("m/<str:code>/ingest/", ingest.upload, name="ingest_upload"),
    path("m/<str:code>/ingest/<int:pk>/", ingest.run_detail, name="ingest_run"),
    path("m/<str:code>/ingest/<int:pk>/review/", ingest.review, name="ingest_review"),
    path("m/<str:code>/ingest/<int:pk>/publish/", ingest.publish, name="ingest_publish"),
    path("m/<str:code>/ingest/<int:pk>/retry/", ingest.retry, name="ingest_retry"),
    path("m/<str:code>/ingest/<int:pk>/pages/<int:page>.png", ingest.page_image, name="ingest_page_image"),
    path("m/<str:code>/ingest/<int:pk>/articles/<int:number>/", ingest.article_edit, name="ingest_article"),
    path("m/<str:code>/ingest/<int:pk>/articles/<int:number>/split/", ingest.article_split,
         name="ingest_article_split"),
    path("m/<str:code>/ingest/<int:pk>/articles/<int:number>/merge/", ingest.article_merge,
         name="ingest_article_merge"),
    path("m/<str:code>/ingest/<int:pk>/articles/<int:number>/move/", ingest.article_move,
         name="ingest_article_move"),
]
