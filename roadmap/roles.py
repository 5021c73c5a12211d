"""People and their roles: the three roles (groups a migration creates), the people's history
and the admin page where admins give roles. roadmap.models imports it, so all of it is
registered as the models load."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget
from django.contrib.auth.models import Group
from simple_history import register
from simple_history.models import HistoricalRecords

from audit.admin import AuditedAdmin

PRODUCT_MANAGER = "Product manager"
TEAM_LEAD = "Team lead"
ADMIN = "Admin"
ROLES = [PRODUCT_MANAGER, TEAM_LEAD, ADMIN]

Person = get_user_model()


class PersonHistoricalRecords(HistoricalRecords):
    """History of the people who sign in, without a record for every login."""

    def post_save(self, instance, created, using=None, **kwargs):
        # Django saves last_login alone at each login; the security log has logins.
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return
        super().post_save(instance, created, using=using, **kwargs)


# Role changes are group membership changes: track auth's User with its groups, so the
# audit trail shows who gave whom which role. The historical tables live in this app
# (roles are defined here); the password hash and last login never enter the trail.
register(
    Person, app="roadmap", records_class=PersonHistoricalRecords,
    m2m_fields=["groups"], excluded_fields=["password", "last_login"],
)


admin.site.unregister(Person)


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(role, role) for role in ROLES] + [("none", "No role")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(groups__isnull=True)
        if self.value() in ROLES:
            return queryset.filter(groups__name=self.value())
        return queryset


class PasswordSummary(ReadOnlyPasswordHashWidget):
    """Django's read-only password summary, without the `disabled` its field puts on the
    summary's <div>: not an attribute a <div> may have (the Nu HTML checker)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("disabled", None)
        return context


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

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "password" in form.base_fields:
            form.base_fields["password"].widget = PasswordSummary()
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        return self.superuser_fieldsets if request.user.is_superuser else self.fieldsets

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=ROLES).order_by("name")
            kwargs["widget"] = forms.CheckboxSelectMultiple  # three roles: tick the ones held
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
        is_admin = person.groups.filter(name=ADMIN).exists()
        changed = person.is_staff != is_admin
        person.is_staff = is_admin
        return changed

    @admin.display(description="name", ordering="last_name")
    def full_name(self, person):
        return person.get_full_name()

    @admin.display(description="roles")
    def roles(self, person):
        return ", ".join(group.name for group in person.groups.all()) or "—"
