from django.urls import path

from . import views

app_name = "calibration"
urlpatterns = [
    path("", views.round_list, name="round-list"),
    path("new/", views.round_create, name="round-create"),
    path("<int:pk>/", views.round_detail, name="round-detail"),
    path("<int:pk>/queue/", views.round_queue, name="round-queue"),
    path("<int:pk>/close/", views.round_close, name="round-close"),
    path("<int:pk>/items/<int:item_pk>/resolve/", views.round_resolve, name="round-resolve"),
]
