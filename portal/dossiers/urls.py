from django.urls import path

from portal.documents import views as documents
from portal.dossiers import views
from portal.threads import views as threads

app_name = "dossiers"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("new/", views.dossier_create, name="create"),
    path("export/", views.dossier_export, name="export"),
    path("inbox/", views.inbox, name="inbox"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/", views.dossier_detail, name="detail"),
    path("<int:pk>/edit/", views.dossier_edit, name="edit"),
    path("<int:pk>/status/", views.dossier_status, name="status"),
    path("<int:pk>/hold/", views.dossier_hold, name="hold"),
    path("<int:pk>/sharing/", views.dossier_sharing, name="sharing"),
    path("<int:pk>/sharing/<int:share_id>/revoke/", views.share_revoke, name="revoke"),
    path("<int:pk>/hand-over/", views.dossier_hand_over, name="hand-over"),
    path("<int:pk>/journal/", views.dossier_journal, name="journal"),
    path("<int:pk>/journal/export.csv", views.dossier_journal_export, name="journal-export"),
    path("<int:pk>/messages/", threads.thread, name="messages"),
    path("<int:pk>/documents/", documents.document_list, name="documents"),
    path("<int:pk>/documents/zip/", documents.download_archive, name="archive"),
    path("<int:pk>/documents/<int:document_id>/", documents.document_detail, name="document"),
    path(
        "<int:pk>/documents/<int:document_id>/v<int:number>/download/",
        documents.download,
        name="download",
    ),
    path(
        "<int:pk>/documents/<int:document_id>/v<int:number>/preview/",
        documents.preview,
        name="preview",
    ),
]
