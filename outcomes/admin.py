from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect

from audit.admin import AuditedAdmin
from roadmap.models import EditConflict
from whobenefits.forms import VersionedForm

from .models import WITHDRAW_REFUSED, MetricReading, period_label
from .views import reading_differences


def admin_differences(saved, yours):
    """(label, saved now, yours) for each field of the admin's form that differs."""
    rows = [(label, str(getattr(saved, name)), str(getattr(yours, name)))
            for name, label in (("metric", "Success metric"), ("product", "Product"))
            if getattr(saved, f"{name}_id") != getattr(yours, f"{name}_id")]
    if saved.period != yours.period:
        rows.append(("Month", period_label(saved.period), period_label(yours.period)))
    return rows + reading_differences(saved, yours.value)


class MetricReadingAdminForm(VersionedForm, forms.ModelForm):
    """The readings page's version check in the admin: a save made from an older version
    is refused with what differs, never written over someone else's correction."""

    class Meta:
        model = MetricReading
        fields = ["metric", "product", "period", "value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new reading has no version: nobody else can have saved it yet.
        self.fields["version"].required = self.instance.pk is not None
        self.fields["version"].initial = self.instance.version if self.instance.pk else None

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the input
        reading = self.instance
        if reading.pk is None or "version" not in self.cleaned_data:
            return
        # The admin saves in the same transaction: the row stays locked until it is written.
        saved = MetricReading.objects.select_for_update(of=("self",)).select_related(
            "metric", "product").get(pk=reading.pk)
        if saved.version != self.cleaned_data["version"]:
            self.refuse_stale(saved, admin_differences(saved, reading))


@admin.register(MetricReading)
class MetricReadingAdmin(AuditedAdmin):
    form = MetricReadingAdminForm  # its refusal shows in admin/outcomes/metricreading/change_form
    list_display = ["metric", "product", "month", "value", "recorded_by", "recorded_at"]
    list_filter = ["metric__side", "metric", "product"]
    list_select_related = ["metric", "product", "recorded_by"]
    date_hierarchy = "period"
    readonly_fields = ["recorded_by", "recorded_at"]
    fields = ["metric", "product", "period", "value", "recorded_by", "recorded_at", "version"]

    @admin.display(description="month", ordering="period")
    def month(self, reading):
        return f"{reading.period:%Y-%m}"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["period"].help_text = "Any day of the month: it is kept as the 1st."
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        obj.period = obj.period.replace(day=1)
        if change:
            # The form checked the version under a row lock; claiming it bumps it, so a
            # correction opened before this save is refused in its turn.
            obj.claim_version(form.cleaned_data["version"])
        super().save_model(request, obj, form, change)

    # Deleting withdraws with the version the confirmation page showed (its hidden
    # `version`, `version-<pk>` for each of a selection; delete_confirmation.html and
    # delete_selected_confirmation.html beside change_form.html): a reading corrected since
    # is refused, and nothing of the deletion (its log entries included) is written.

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)  # atomic
        except EditConflict as refused:
            return self._refuse_withdrawal(request, refused.current)

    def response_action(self, request, queryset, *args, **kwargs):
        try:
            with transaction.atomic():
                return super().response_action(request, queryset, *args, **kwargs)
        except EditConflict as refused:
            return self._refuse_withdrawal(request, refused.current,
                                           " None of the selected readings was withdrawn.")

    def _refuse_withdrawal(self, request, current, more=""):
        self.message_user(request, WITHDRAW_REFUSED.format(reading=current) + more,
                          messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())  # the page again, as it is now

    def delete_model(self, request, obj):
        self._withdraw(request, obj, request.POST.get("version", ""))

    def delete_queryset(self, request, queryset):
        # One by one: each withdrawal needs its own history record with who did it.
        for reading in queryset:
            self._withdraw(request, reading, request.POST.get(f"version-{reading.pk}", ""))

    def _withdraw(self, request, reading, version):
        # No version (a form from before this check) is never the reading's: refused too.
        reading.withdraw(expected_version=int(version) if version.isdigit() else 0,
                         withdrawn_by=request.user, reason="Withdrawn in the admin")
