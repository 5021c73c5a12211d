from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef
from django.template.response import TemplateResponse

from audit.admin import ArchivableAdmin, AuditedAdmin
from personas.models import count_of

from .forms import MergeCompaniesForm
from .models import Company, Evidence, ItemDemand
from .templatetags.money import money


@admin.register(Company)
class CompanyAdmin(ArchivableAdmin):
    list_display = ["name", "segment", "plan", "revenue", "seats", "renewal_date", "note_count",
                    "archived"]
    list_filter = ["segment", "archived"]
    search_fields = ["name", "plan"]
    ordering = ["name"]
    actions = [*ArchivableAdmin.actions, "merge_companies"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            note_count=count_of(Evidence, company=OuterRef("pk")))

    @admin.display(description="annual recurring revenue", ordering="arr")
    def revenue(self, company):
        return money(company.arr)

    @admin.display(description="notes", ordering="note_count")
    def note_count(self, company):
        return company.note_count

    @admin.action(description="Merge two selected companies…", permissions=["change"])
    def merge_companies(self, request, queryset):
        companies = queryset.order_by("name")
        if companies.count() != 2:
            self.message_user(request, "Select exactly two companies to merge.", messages.ERROR)
            return None
        form = MergeCompaniesForm(
            request.POST if "merge" in request.POST else None, companies=companies)
        if form.is_bound and form.is_valid():
            kept, merged = form.cleaned_data["kept"], form.merged_company()
            try:
                merged.merge_into(kept, merged_by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request, f"Merged “{merged}” into “{kept}”; “{merged}” is archived.",
                    messages.SUCCESS)
                return None
        return TemplateResponse(request, "admin/evidence/company/merge.html", {
            **self.admin_site.each_context(request),
            "title": "Merge two companies", "opts": self.model._meta, "form": form,
            "companies": self.get_queryset(request).filter(pk__in=companies),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


@admin.register(Evidence)
class EvidenceAdmin(AuditedAdmin):
    list_display = ["__str__", "persona", "company", "source", "importance", "observed_on",
                    "recorded_by"]
    list_filter = ["source", "importance", "persona__side", "observed_on"]
    list_select_related = ["persona", "company", "recorded_by"]
    search_fields = ["text", "contact_name", "company__name"]
    # Ids with a lookup for the thousands of companies and items; personas are few.
    raw_id_fields = ["company", "items"]
    readonly_fields = ["recorded_by", "recorded_at", "version"]
    fields = ["text", "persona", "company", "contact_name", "source", "link", "importance",
              "observed_on", "items", "recorded_by", "recorded_at", "version"]

    def has_delete_permission(self, request, obj=None):
        # Evidence is never lost: a wrong note is corrected, not deleted.
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        else:
            obj.version += 1
        obj.linked_before = obj.linked_item_ids() if change else set()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A correction can change the side, the weight or the links: count both sets again.
        note = form.instance
        ItemDemand.refresh(note.linked_before | note.linked_item_ids())
