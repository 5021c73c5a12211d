import pytest
from django.test import Client

from tokens.models import ApiToken


def new_token(person):
    """A new API token of `person`'s, as the header a script sends."""
    return "Bearer " + ApiToken.issue(person=person, name="script", created_by=person)[1]


def token_client(person):
    """A client that sends `person`'s new API token, as a script does; no session."""
    return Client(headers={"Authorization": new_token(person)})


@pytest.fixture
def pm_api(pm):
    return token_client(pm)


@pytest.fixture
def lead_api(lead):
    return token_client(lead)


@pytest.fixture
def admin_api(admin_person):
    return token_client(admin_person)
