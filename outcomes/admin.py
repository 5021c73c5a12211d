from django.contrib import admin

from audit.admin import AuditedAdmin

from .models import MetricReading


@admin.register(MetricReading)
class MetricReadingAdmin(AuditedAdmin):
    list_display = ["metric", "product", "month", "value", "recorded_by", "recorded_at"]
    list_filter = ["metric__side", "metric", "product"]
    list_select_related = ["metric", "product", "recorded_by"]
    date_hierarchy = "period"
    readonly_fields = ["recorded_by", "recorded_at", "version"]
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
            obj.version += 1
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj._change_reason = "Withdrawn in the admin"
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # One by one: each withdrawal needs its own history record with who did it.
        for reading in queryset:
            reading._history_user = request.user
            self.delete_model(request, reading)
