import pytest
from django.test import Client

from roadmap import roles

from .factories import make_item, make_person, make_persona


def logged_in_client(person):
    # force_login with the model backend: django-axes' backend comes first in the list
    # but cannot load a person from the session.
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def pm(db):
    return make_person(roles.PRODUCT_MANAGER, username="pm", first_name="Priya", last_name="Menon")


@pytest.fixture
def lead(db):
    return make_person(roles.TEAM_LEAD, username="lead", first_name="Lena", last_name="Schmidt")


@pytest.fixture
def admin_person(db):
    return make_person(roles.ADMIN, username="admin", first_name="Ada", last_name="Okafor")


@pytest.fixture
def no_role_person(db):
    return make_person(None, username="visitor")


@pytest.fixture
def pm_client(pm):
    return logged_in_client(pm)


@pytest.fixture
def lead_client(lead):
    return logged_in_client(lead)


@pytest.fixture
def admin_client(admin_person):
    """The Admin role (staff, in the Admin group), not a superuser."""
    return logged_in_client(admin_person)


@pytest.fixture
def no_role_client(no_role_person):
    return logged_in_client(no_role_person)


@pytest.fixture
def customer_persona(db):
    return make_persona(side="customer", name="IT administrator")


@pytest.fixture
def user_persona(db):
    return make_persona(side="user", name="Field employee")


@pytest.fixture
def item(db, pm):
    return make_item(title="Single sign-on", owner=pm)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing takes ~0.3 s a person; tests check roles, not hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
