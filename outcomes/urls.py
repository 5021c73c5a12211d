from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("readings/", views.reading_list, name="reading-list"),
    path("readings/<int:pk>/", views.reading_edit, name="reading-edit"),
    path("readings/<int:pk>/withdraw/", views.reading_withdraw, name="reading-withdraw"),
    path("items/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("settings/", views.email_settings, name="email-settings"),
]
