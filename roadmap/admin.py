from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from audit.admin import AuditedAdmin

from . import roles
from .models import EditConflict, Product, ReviewThresholds, RoadmapItem


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class RoadmapItemAdminForm(forms.ModelForm):
    """Carries the version the admin started from, as the app's edit page does."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RoadmapItem
        fields = ["title", "product", "description", "request_quote", "requesting_persona",
                  "status", "horizon", "effort", "owner"]

    def clean(self):
        data = super().clean()
        item = self.instance
        if item.pk is not None and not self._still_current(item, data.get("version")):
            raise forms.ValidationError(
                "Someone saved this item since you opened it, so your changes were not saved. "
                "Open it again to see theirs, then make your change."
            )
        return data

    @staticmethod
    def _still_current(item, version):
        # The admin validates and saves in one transaction: check_edit's row lock keeps
        # any other save out until this one is written.
        try:
            return version is not None and item.check_edit(version) is not None
        except EditConflict:
            return False


@admin.register(RoadmapItem)
class RoadmapItemAdmin(AuditedAdmin):
    form = RoadmapItemAdminForm
    list_display = ["title", "product", "status", "horizon", "effort", "owner"]
    list_filter = ["product", "status", "horizon"]
    list_select_related = ["product", "owner"]
    ordering = ["product__name", "title"]
    search_fields = ["title", "description", "request_quote"]
    readonly_fields = ["created_at", "updated_at"]
    autocomplete_fields = ["requesting_persona"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["version"].initial = obj.version if obj else None
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Bumps the version, so a triage or edit form opened before this save is refused.
        obj.save_edit(expected_version=form.cleaned_data["version"], edited_by=request.user)
        return None


@admin.register(ReviewThresholds)
class ReviewThresholdsAdmin(AuditedAdmin):
    list_display = ["__str__", "buyers_only_share", "users_only_share", "scope"]

    def has_add_permission(self, request):
        return not ReviewThresholds.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


Person = get_user_model()
admin.site.unregister(Person)


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(role, role) for role in roles.ROLES] + [("none", "No role")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(groups__isnull=True)
        if self.value() in roles.ROLES:
            return queryset.filter(groups__name=self.value())
        return queryset


@admin.register(Person)
class PersonAdmin(AuditedAdmin, UserAdmin):
    """People and their roles. Admins are staff, not superusers: they cannot grant superuser
    powers or raw permissions, only the three roles."""

    list_display = ["username", "full_name", "email", "roles", "is_active", "last_login"]
    list_filter = [RoleFilter, "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
        ("Role", {"fields": ["groups", "is_active"],
                  "description": "Deactivate people who leave: what they tagged and reviewed "
                                 "keeps their name."}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    superuser_fieldsets = [
        *fieldsets[:3], ("Superuser", {"fields": ["is_staff", "is_superuser", "user_permissions"]}),
        fieldsets[3],
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        return self.superuser_fieldsets if request.user.is_superuser else self.fieldsets

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=roles.ROLES).order_by("name")
            kwargs["widget"] = admin.widgets.FilteredSelectMultiple("roles", is_stacked=False)
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
            field.label = "Roles"
            field.help_text = ("Product managers triage items, team leads review them, "
                               "admins curate personas and people in this admin.")
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # A staff admin must not take over a superuser's account (password, roles).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def finish_save(self, request, person):
        # The Admin role is what opens this admin: staff status follows it.
        if person.is_superuser:
            return False
        is_admin = person.groups.filter(name=roles.ADMIN).exists()
        changed = person.is_staff != is_admin
        person.is_staff = is_admin
        return changed

    @admin.display(description="name", ordering="last_name")
    def full_name(self, person):
        return person.get_full_name()

    @admin.display(description="roles")
    def roles(self, person):
        return ", ".join(group.name for group in person.groups.all()) or "—"
