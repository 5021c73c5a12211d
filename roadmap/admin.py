from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Product, ReviewThresholds, RoadmapItem


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(RoadmapItem)
class RoadmapItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "product", "status", "horizon", "effort", "owner"]
    list_filter = ["product", "status", "horizon"]
    list_select_related = ["product", "owner"]
    search_fields = ["title", "description", "request_quote"]
    readonly_fields = ["version", "created_at", "updated_at"]
    autocomplete_fields = ["requesting_persona"]


@admin.register(ReviewThresholds)
class ReviewThresholdsAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "buyers_only_share", "users_only_share", "scope"]

    def has_add_permission(self, request):
        return not ReviewThresholds.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
