from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "wenjin.api"
    label = "api"
    verbose_name = "REST API"
