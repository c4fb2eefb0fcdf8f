from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "portal.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self):
        from portal.knowledge import editors  # noqa: F401  (signal receivers)
