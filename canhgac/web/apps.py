from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "canhgac.web"
    label = "web"
    verbose_name = "Web UI"
