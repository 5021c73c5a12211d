from django.urls import path

from . import views

app_name = "personas"
urlpatterns = [
    path("", views.persona_list, name="persona-list"),
]
