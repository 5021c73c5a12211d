"""What an app's roles data migration does: give roadmap's role groups (its 0002_roles
migration) the app's permissions, or take them back. One home for the apps' migrations
and for the tests that make the groups again after a flush."""

from django.contrib.auth.management import create_permissions


def grant(apps, app_label, grants):
    """Give each role its codenames of `app_label`: `grants` maps a role's name to them."""
    config = apps.get_app_config(app_label)
    # Django makes an app's permissions after all migrations ran (and skips an app it sees
    # without models): make them now, so they can be granted.
    models_module = getattr(config, "models_module", None)
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in grants.items():
        Group.objects.get(name=role).permissions.add(*Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames))


def revoke(apps, app_label, roles, **permissions):
    """Take from the roles the app's permissions (those matching `permissions`, or all)."""
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=roles):
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label=app_label, **permissions))
