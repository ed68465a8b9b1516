from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "wenjin.notices"
    label = "notices"
    verbose_name = _("Reader notices")

    def ready(self) -> None:
        from wenjin.circulation import signals
        from wenjin.notices import receivers

        # A fixed dispatch_uid: the receiver stays connected once however often ready()
        # runs (the test runner and autoreload call it more than once).
        signals.hold_ready.connect(
            receivers.on_hold_ready, dispatch_uid="wenjin.notices.hold_ready", weak=False
        )
