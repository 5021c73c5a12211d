from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("items/<int:pk>/notes/", views.item_notes, name="item-notes"),
    path("notes/<int:pk>/", views.evidence_edit, name="evidence-edit"),
    path("notes/<int:pk>/link/", views.link, name="link"),
    path("notes/<int:pk>/unlink/", views.unlink, name="unlink"),
    path("companies/", views.company_list, name="company-list"),
    path("companies/<int:pk>/", views.company_detail, name="company-detail"),
    path("companies/names/", views.company_options, name="company-options"),
]
