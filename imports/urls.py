from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="import-list"),
    path("new/", views.upload, name="upload"),
    path("notes/new/", views.upload_notes, name="upload-notes"),
    path("readings/new/", views.upload_readings, name="upload-readings"),
    path("<int:pk>/", views.import_detail, name="import-detail"),
    path("<int:pk>/map/", views.map_columns, name="map"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/conflicts/", views.settle_conflicts, name="conflicts"),
    path("<int:pk>/run-again/", views.run_again, name="run-again"),
    path("<int:pk>/cancel/", views.abandon, name="abandon"),
    path("<int:pk>/undo/", views.undo, name="undo"),
    path("<int:pk>/errors.csv", views.skipped_rows, name="skipped-rows"),
]
