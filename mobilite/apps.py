from django.apps import AppConfig


class MobiliteConfig(AppConfig):
    name = "mobilite"
    verbose_name = "Mobilité (axe 4)"
