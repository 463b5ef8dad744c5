from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "kohoshi.places"
    label = "places"
