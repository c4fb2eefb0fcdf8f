from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal.api.api import api
from portal.core import views as core_views
from portal.knowledge import views as knowledge_views

urlpatterns = [
    path("health/", core_views.health, name="health"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The CMS has no sign-in of its own: the portal's, with its second factor, is the only one.
    path("cms/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("cms/logout/", RedirectView.as_view(pattern_name="account_logout")),
    # Dossier tags are case data: Wagtail's per-model tag autocomplete would list them to any
    # CMS user, so it does not exist for the dossiers app (the global one never sees them).
    path("cms/tag-autocomplete/dossiers/<slug:model_name>/", core_views.not_found),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
]

urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("", include("tenants.urls")),
    path("dossiers/", include("portal.dossiers.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("search/", include("search.urls")),
    path("organisation/api-clients/", include("portal.api.urls")),
    path("statistics/", include("portal.statistics.urls")),
    # Knowledge pages (Wagtail's page serving, for the knowledge tree only, so that a 404
    # elsewhere, e.g. under /api/, is not redirected into a language prefix).
    re_path(r"^(knowledge/(?:[\w\-]+/)*)$", knowledge_views.serve, name="wagtail_serve"),
)
