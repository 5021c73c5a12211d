"""A signed-in person's roles, read in one statement (whobenefits/roles.py): the same
permissions Django's ModelBackend gives, for every role."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from whobenefits.roles import read_roles


@pytest.mark.parametrize("role", ["pm", "lead", "admin_person"])
def test_roles_read_in_one_statement_are_model_backends(db, role, request,
                                                        django_assert_num_queries):
    person = User.objects.get(pk=request.getfixturevalue(role).pk)
    person.user_permissions.add(Permission.objects.get(codename="view_session"))
    with django_assert_num_queries(1):
        read_roles(person)
        granted = person.get_all_permissions()
        assert person.has_perm("roadmap.view_roadmapitem")
    fresh = User.objects.get(pk=person.pk)
    assert granted == ModelBackend().get_all_permissions(fresh)
    assert "sessions.view_session" in granted


def test_a_superuser_has_every_permission(admin_person, django_assert_num_queries):
    admin_person.is_superuser = True
    admin_person.save()
    person, every = User.objects.get(pk=admin_person.pk), Permission.objects.count()
    with django_assert_num_queries(1):
        assert len(read_roles(person).get_all_permissions()) == every


def test_an_inactive_person_has_none(pm, django_assert_num_queries):
    pm.is_active = False
    with django_assert_num_queries(0):
        assert read_roles(pm).get_all_permissions() == set()


def test_a_role_taken_away_counts_from_the_next_request(pm, client):
    client.force_login(pm, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("roadmap:item-create")).status_code == 200
    pm.groups.clear()
    assert client.get(reverse("roadmap:item-create")).status_code == 403
