"""Create the three roles as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = [
    "personas.view_persona", "personas.view_successmetric",
    "roadmap.view_product", "roadmap.view_roadmapitem", "roadmap.view_triage",
    "roadmap.view_review",
]
ROLE_PERMISSIONS = {
    "Product manager": [
        *READ, "roadmap.add_roadmapitem", "roadmap.change_roadmapitem",
        "roadmap.triage_roadmapitem",
    ],
    "Team lead": [*READ, "roadmap.review_roadmapitem"],
    "Admin": [
        *READ,
        "personas.add_persona", "personas.change_persona", "personas.delete_persona",
        "personas.add_successmetric", "personas.change_successmetric",
        "personas.delete_successmetric",
        "roadmap.add_product", "roadmap.change_product", "roadmap.delete_product",
        "roadmap.add_roadmapitem", "roadmap.change_roadmapitem",
        "roadmap.triage_roadmapitem", "roadmap.review_roadmapitem",
        "roadmap.view_reviewthresholds", "roadmap.change_reviewthresholds",
        "roadmap.add_reviewthresholds",
        "auth.view_user", "auth.add_user", "auth.change_user",
        "auth.view_group",
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0001_initial"),
        ("personas", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
