from django.urls import path

from .api import api

# No app_name: django-ninja reverses its docs and schema views in its own namespace ("v1").
urlpatterns = [
    path("v1/", api.urls),
]
