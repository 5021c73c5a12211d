from django import forms
from django.contrib import admin
from django.db import models
from django.template.response import TemplateResponse

from audit.admin import AuditedAdmin

from .demo import DemoContent, describe
from .forms import ItemDetailsForm
from .history import details_differences
from .models import EditConflict, Product, ReviewThresholds, RoadmapItem


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    list_display = ["name", "description", "own_personas", "default_horizon", "uses_horizons"]
    search_fields = ["name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    # Checkboxes, as for a persona's metrics (the two-box widget fails axe).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    actions = ["remove_demo_content"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("personas")

    @admin.display(description="its own personas")
    def own_personas(self, product):
        return ", ".join(p.name for p in product.personas.all()) or "none: only shared ones"

    @admin.action(description="Remove the demo content of the selected products",
                  permissions=["delete"])
    def remove_demo_content(self, request, queryset):
        """Demo items of these products, then the demo products, personas and metrics nothing
        else names; after a confirmation page that lists them."""
        demo = DemoContent.find(products=list(queryset), logins=False)
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(request, "admin/roadmap/product/remove_demo.html", {
                **self.admin_site.each_context(request), "demo": demo, "products": queryset,
                "opts": self.model._meta, "title": "Remove the demo content?",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            })
        removed = demo.remove(by=request.user)
        self.message_user(request, describe(removed, demo.kept, demo.also_removed))
        return None


class RoadmapItemAdminForm(ItemDetailsForm):
    """The app's version check in the admin, which validates and saves in one transaction:
    check_edit's row lock keeps any other save out until this one is written."""

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the input
        item = self.instance
        if item.pk is not None and "version" in self.cleaned_data:
            try:
                item.check_edit(self.cleaned_data["version"])
            except EditConflict as conflict:
                self.refuse_stale(conflict.current, details_differences(conflict.current, item))


@admin.register(RoadmapItem)
class RoadmapItemAdmin(AuditedAdmin):
    form = RoadmapItemAdminForm  # its refusal shows in admin/roadmap/roadmapitem/change_form
    list_display = ["title", "product", "status", "horizon", "target_quarter", "shipped_on",
                    "effort", "owner"]
    list_filter = ["product", "status", "horizon"]
    list_select_related = ["product", "owner"]
    ordering = ["product__name", "title"]
    search_fields = ["title", "description", "request_quote", "external_key"]
    readonly_fields = ["created_at", "updated_at", "external_source", "external_key",
                       "external_url", "labels", "source_import"]
    autocomplete_fields = ["requesting_persona"]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Bumps the version, so a triage or edit form opened before this save is refused.
        obj.save_edit(expected_version=form.cleaned_data["version"], edited_by=request.user)
        return None


@admin.register(ReviewThresholds)
class ReviewThresholdsAdmin(AuditedAdmin):
    list_display = ["__str__", "customers_only_share", "users_only_share", "scope",
                    "evidence_share", "evidence_min_notes"]
    fieldsets = [
        ("The two traps", {"fields": ["customers_only_share", "users_only_share", "scope"]}),
        ("The tag disagrees with the evidence", {
            "fields": ["evidence_share", "evidence_min_notes"],
            "description": "An item tagged customers only whose evidence weight comes mostly "
                           "from users, or the other way round, is flagged on its page, in "
                           "the roadmap list and on the review dashboard."}),
        ("The warning signs in the product's metrics", {
            "fields": ["metrics_rising_at", "metrics_falling_at"],
            "description": "The product health panel of the review dashboard compares each "
                           "side's metric readings over the last three months."}),
    ]

    def has_add_permission(self, request):
        return not ReviewThresholds.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

