from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Persona, SuccessMetric


@admin.register(Persona)
class PersonaAdmin(SimpleHistoryAdmin):
    list_display = ["name", "side", "archetype", "order", "archived"]
    list_filter = ["side", "archetype", "archived"]
    search_fields = ["name", "description", "concerns"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["metrics"]


@admin.register(SuccessMetric)
class SuccessMetricAdmin(SimpleHistoryAdmin):
    list_display = ["name", "side", "order", "archived"]
    list_filter = ["side", "archived"]
    search_fields = ["name", "description"]
