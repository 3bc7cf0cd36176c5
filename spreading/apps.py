from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpreadingConfig(AppConfig):
    name = "spreading"
    verbose_name = _("Spreading the idea")
