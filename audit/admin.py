"""The admin base class every audited model uses: history readable, never rewritable."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from simple_history.admin import SimpleHistoryAdmin


class AuditedAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages are read-only, one record per admin save.

    SIMPLE_HISTORY_REVERT_DISABLED hides the revert button; this also refuses the POST
    the button would send, so no one can change an object from a past version's page.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("The audit trail is read-only.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # simple-history's own calls select_related() with no names for a model without
        # tracked foreign keys, which Django deprecates (and which follows every nullable
        # relation too): name the tracked foreign keys, or none.
        relations = [field.name for field in history_manager.model.tracked_fields
                     if isinstance(field, models.ForeignKey)]
        return history_manager.filter(**{pk_name: object_id}).select_related(
            "history_user", *relations)

    def tracks_many_to_many(self):
        return bool(self.model.history.model._history_m2m_fields)

    def save_model(self, request, obj, form, change):
        # With many-to-many fields the form saves the row, then each relation: one history
        # record for all of it, written in save_related() once the relations are set.
        if self.tracks_many_to_many():
            obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        try:
            super().save_related(request, form, formsets, change)
        finally:
            if hasattr(obj, "skip_history_when_saving"):
                del obj.skip_history_when_saving
        changed = self.finish_save(request, obj)
        if self.tracks_many_to_many() or changed:
            obj._history_user = request.user
            obj.save()
            if not change and self.tracks_many_to_many():
                # The first save recorded nothing: this record is the object's creation.
                obj.history.filter(history_id=obj.history.latest().history_id).update(
                    history_type="+")

    def finish_save(self, request, obj):
        """Last changes derived from the saved relations; True when it changed `obj`."""
        return False


class ArchivableAdmin(AuditedAdmin):
    """The admin of a model whose rows are archived, never deleted: archive and restore."""

    actions = ["archive_selected", "restore_selected"]

    @admin.action(description="Archive selected %(verbose_name_plural)s", permissions=["change"])
    def archive_selected(self, request, queryset):
        self._set_archived(request, queryset, archived=True)

    @admin.action(description="Restore selected %(verbose_name_plural)s", permissions=["change"])
    def restore_selected(self, request, queryset):
        self._set_archived(request, queryset, archived=False)

    def _set_archived(self, request, queryset, *, archived):
        # One by one, not .update(): each change needs its own history record.
        changed = 0
        for row in queryset.filter(archived=not archived):
            row.archived = archived
            row._history_user = request.user
            row.save(update_fields=["archived"])
            changed += 1
        meta = self.model._meta
        name = meta.verbose_name if changed == 1 else meta.verbose_name_plural
        self.message_user(request, f"{'Archived' if archived else 'Restored'} {changed} {name}.")
