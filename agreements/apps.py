from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.urls import register_converter

        from config.pagecache import watch_writes

        from . import checks  # noqa: F401 - registers the deploy checks
        from .converters import IdConverter

        register_converter(IdConverter, "id")
        # Every write to a public table makes the anonymous pages kept in the cache stale.
        connection_created.connect(watch_writes, dispatch_uid="pagecache.watch_writes")
