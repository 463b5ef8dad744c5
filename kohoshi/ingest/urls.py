from django.urls import path

from . import views

app_name = "ingest"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<str:code>/runs/<int:pk>/", views.run_detail, name="run"),
    path("<str:code>/runs/<int:pk>/review/", views.review, name="review"),
    path("<str:code>/runs/<int:pk>/publish/", views.publish, name="publish"),
    path("<str:code>/runs/<int:pk>/retry/", views.retry, name="retry"),
    path("<str:code>/runs/<int:pk>/pages/<int:page>.png", views.page_image, name="page_image"),
    path("<str:code>/runs/<int:pk>/articles/<int:number>/", views.article_edit, name="article"),
    path("<str:code>/runs/<int:pk>/articles/<int:number>/split/", views.article_split, name="article_split"),
    path("<str:code>/runs/<int:pk>/articles/<int:number>/merge/", views.article_merge, name="article_merge"),
    path("<str:code>/runs/<int:pk>/articles/<int:number>/move/", views.article_move, name="article_move"),
]
