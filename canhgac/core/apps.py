from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "canhgac.core"
    label = "core"
    verbose_name = "Core"
