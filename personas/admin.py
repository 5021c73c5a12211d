from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse

from audit.admin import ArchivableAdmin, AuditedAdmin

from .forms import MergePersonasForm
from .models import Archetype, Persona, SuccessMetric


@admin.register(Persona)
class PersonaAdmin(ArchivableAdmin):
    list_display = [
        "name", "side", "archetype", "primary_count", "indirect_count", "requested_count",
        "archived",
    ]
    list_filter = ["side", "archetype", "archived"]
    list_select_related = ["archetype"]
    search_fields = ["name", "description", "concerns"]
    ordering = ["side", "order", "name"]
    prepopulated_fields = {"slug": ["name"]}
    # Checkboxes, not the two-box filter widget: a handful of metrics, and the widget's
    # search icon carries an aria-label its element may not have (axe: aria-prohibited-attr).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    actions = [*ArchivableAdmin.actions, "merge_personas"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_usage()

    @admin.display(description="primary for", ordering="primary_count")
    def primary_count(self, persona):
        return persona.primary_count

    @admin.display(description="indirect for", ordering="indirect_count")
    def indirect_count(self, persona):
        return persona.indirect_count

    @admin.display(description="requested", ordering="requested_count")
    def requested_count(self, persona):
        return persona.requested_count

    @admin.action(description="Merge two selected personas…", permissions=["change"])
    def merge_personas(self, request, queryset):
        personas = queryset.order_by("name")
        if personas.count() != 2:
            self.message_user(request, "Select exactly two personas to merge.", messages.ERROR)
            return None
        form = MergePersonasForm(
            request.POST if "merge" in request.POST else None, personas=personas
        )
        if form.is_bound and form.is_valid():
            kept, merged = form.cleaned_data["kept"], form.merged_persona()
            try:
                merged.merge_into(kept, merged_by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request, f"Merged “{merged}” into “{kept}”; “{merged}” is archived.",
                    messages.SUCCESS,
                )
                return None
        return TemplateResponse(request, "admin/personas/persona/merge.html", {
            **self.admin_site.each_context(request),
            "title": "Merge two personas", "opts": self.model._meta, "form": form,
            "personas": personas.with_usage(),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


@admin.register(SuccessMetric)
class SuccessMetricAdmin(AuditedAdmin):
    list_display = ["name", "side", "kind", "order", "archived"]
    list_filter = ["side", "kind", "archived"]
    search_fields = ["name", "description"]
    ordering = ["side", "order", "name"]


@admin.register(Archetype)
class ArchetypeAdmin(AuditedAdmin):
    list_display = ["name", "side", "built_in", "persona_count"]
    list_filter = ["side", "built_in"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(persona_count=Count("personas"))

    @admin.display(description="personas", ordering="persona_count")
    def persona_count(self, archetype):
        return archetype.persona_count

    def get_readonly_fields(self, request, obj=None):
        # Personas name it by its key; a built-in one keeps its side too.
        if obj is None:
            return []
        return ["key", "side"] if obj.built_in else ["key"]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"key": ["name"]}

    def has_delete_permission(self, request, obj=None):
        # Also refuses a bulk delete that selects one (403, nothing deleted).
        return super().has_delete_permission(request, obj) and not (obj and obj.built_in)
