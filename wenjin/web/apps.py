from django.apps import AppConfig


class WebConfig(AppConfig):
    """The site shell shared by every app's pages: base layout, CSS, home page, health check."""

    name = "wenjin.web"
    label = "web"
    verbose_name = "Web shell"
