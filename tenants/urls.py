from django.urls import path

from tenants import views

app_name = "tenants"

urlpatterns = [
    path("organisation/switch/", views.switch_organisation, name="switch"),
    path("organisation/members/", views.member_list, name="members"),
    path("organisation/members/invite/", views.member_invite, name="member-invite"),
    path("organisation/members/<int:membership_id>/", views.member_edit, name="member-edit"),
    path("organisation/settings/", views.organisation_settings, name="settings"),
    path("operator/organisations/", views.operator_organisation_list, name="operator-organisations"),
    path(
        "operator/organisations/<int:organisation_id>/",
        views.operator_organisation_edit,
        name="operator-organisation-edit",
    ),
    path(
        "operator/organisations/new/", views.operator_organisation_create, name="operator-organisation-create"
    ),
]
