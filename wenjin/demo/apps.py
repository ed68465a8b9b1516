from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Deterministic demo and benchmark data (``wenjin demo-data``) and the demo manifest."""

    name = "wenjin.demo"
    label = "demo"
    verbose_name = "Demo data"
