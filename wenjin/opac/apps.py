from django.apps import AppConfig


class OpacConfig(AppConfig):
    name = "wenjin.opac"
    label = "opac"
    verbose_name = "Public catalogue"
