from django.urls import path

from . import views

app_name = "roadmap"
urlpatterns = [
    path("", views.item_list, name="item-list"),
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
    path("items/new/", views.item_create, name="item-create"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("items/<int:pk>/triage/", views.triage, name="triage"),
    path("triage/", views.triage_queue, name="triage-queue"),
]
urlpatterns += [
    path("review/", views.dashboard, name="dashboard"),
    path("review/export.csv", views.export_csv, name="export-csv"),
    path("review/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("review/print/", views.review_print, name="print"),
    path("items/<int:pk>/review/", views.review, name="review"),
    path("targets/", views.targets, name="targets"),
    path("targets/<str:quarter>/", views.target_edit, name="target-edit"),
]
