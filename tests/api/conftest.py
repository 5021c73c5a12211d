import pytest
from django.test import Client

from tokens.models import ApiToken


def token_client(person):
    """A client that sends `person`'s new API token, as a script does; no session."""
    _, raw = ApiToken.issue(person=person, name="script", created_by=person)
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def pm_api(pm):
    return token_client(pm)


@pytest.fixture
def lead_api(lead):
    return token_client(lead)


@pytest.fixture
def admin_api(admin_person):
    return token_client(admin_person)
