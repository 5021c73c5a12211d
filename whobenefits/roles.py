"""A signed-in person's roles (their permissions), read in one statement per request.

Django's ModelBackend reads them in two, their own permissions and their groups', the first
time a request asks (`has_perm`, the templates' `perms`), and keeps the union on the
person for the rest of the request. Every page asks (its menu does), so that is two
statements on every page and every API call; this reads both in one and hands the result
to ModelBackend's cache, which it then answers from. The person is read afresh each
request, so a role changed in the admin counts from the next one.
"""

from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q


def read_roles(person):
    """Fill ModelBackend's permission cache of `person` from one statement; ModelBackend
    reads none then. Nothing for an inactive person (ModelBackend grants them nothing)."""
    if not person.is_active or hasattr(person, "_perm_cache"):
        return person
    permissions = Permission.objects.all()
    if not person.is_superuser:
        permissions = permissions.filter(
            Q(pk__in=User.user_permissions.through.objects.filter(
                user=person).values("permission"))
            | Q(pk__in=Group.permissions.through.objects.filter(
                group__user=person).values("permission")))
    person._perm_cache = {f"{app_label}.{codename}" for app_label, codename in
                          permissions.values_list("content_type__app_label", "codename")
                          .order_by()}
    return person
