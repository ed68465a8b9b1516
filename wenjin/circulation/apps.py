from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "wenjin.circulation"
    label = "circulation"
    verbose_name = _("Circulation")

    def ready(self) -> None:
        from wenjin.circulation import models, selectors
        from wenjin.network import models as network

        # What the circulation selectors cache: a change here is seen at once.
        for model in (
            models.LoanRule,
            models.CirculationSettings,
            models.FloatingGroup,
            models.FeeFreePeriod,
            network.OrgUnit,
            network.WeeklyHours,
            network.ScheduleException,
            network.PublicCalendarDay,
        ):
            post_save.connect(selectors.clear_caches, sender=model, weak=False)
            post_delete.connect(selectors.clear_caches, sender=model, weak=False)
        m2m_changed.connect(
            selectors.clear_caches, sender=models.FloatingGroup.members.through, weak=False
        )
