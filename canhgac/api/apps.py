from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "canhgac.api"
    label = "api"
    verbose_name = "API"
