from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "wenjin.lib"
    label = "wenjin_lib"
    verbose_name = "Wenjin shared helpers"
