from django.contrib import admin

from audit.admin import AuditedAdmin

from .models import AgreementTarget


@admin.register(AgreementTarget)
class AgreementTargetAdmin(AuditedAdmin):
    """The calibration target, one row (a migration creates it), beside the review
    thresholds: edited, never added twice or deleted."""

    list_display = ["__str__", "share"]
    fieldsets = [(None, {
        "fields": ["share"],
        "description": "In a calibration round two or more PMs classify the same items blind; "
                       "below this share of items on which they all agree, the review "
                       "dashboard says so."})]

    def has_add_permission(self, request):
        # The migration made the one row and nobody deletes it; asking the database on
        # every admin page (the sidebar asks each model) would cost a query each time.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
