from django.urls import path

from portal.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("chart/<slug:chart>.csv", views.dashboard, name="chart"),
    path("report/<int:year>/", views.body_report, name="report"),
    path("report/<int:year>/submit/", views.submit, name="submit"),
    path("report/<int:year>/<str:fmt>/", views.body_report, name="report-file"),
    path("national/", views.national, name="national"),
    path("national/chart/<slug:chart>.csv", views.national, name="national-chart"),
    path("national/body/<int:body_id>/", views.national, name="national-body"),
    path("national/body/<int:body_id>/chart/<slug:chart>.csv", views.national, name="national-body-chart"),
    path("national/submissions/<int:year>/", views.submissions, name="submissions"),
    path("national/submissions/<int:year>/<int:body_id>/", views.submission, name="submission"),
    path(
        "national/submissions/<int:year>/<int:body_id>/<str:fmt>/", views.submission, name="submission-file"
    ),
    path("national/report/<int:year>/", views.national_report, name="national-report"),
    path("national/report/<int:year>/<str:fmt>/", views.national_report, name="national-report-file"),
]
