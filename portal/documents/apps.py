from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal.documents"
    label = "documents"

    def ready(self):
        from portal.documents import checks  # noqa: F401 (registers the system checks)
