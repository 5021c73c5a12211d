"""The admin base class every audited model uses: history readable, never rewritable."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class AuditedAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages are read-only.

    SIMPLE_HISTORY_REVERT_DISABLED hides the revert button; this also refuses the POST
    the button would send, so no one can change an object from a past version's page.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("The audit trail is read-only.")
        return super().history_form_view(request, object_id, version_id, extra_context)
