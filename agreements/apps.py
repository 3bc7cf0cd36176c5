from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from django.urls import register_converter

        from . import checks  # noqa: F401 - registers the deploy checks
        from .converters import IdConverter

        register_converter(IdConverter, "id")
