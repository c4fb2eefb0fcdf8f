from django.urls import path

from portal.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("national/", views.national, name="national"),
    path("national/body/<int:body_id>/", views.national, name="national-body"),
]
