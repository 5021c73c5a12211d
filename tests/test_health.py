"""/healthz and /readyz: for a load balancer, without login, revealing nothing else.

The database going away (readyz answering 503) is tested against gunicorn in
tests/test_database_faults.py.
"""

import pytest
from django.test import Client

PROBES = ["/healthz", "/readyz"]


@pytest.mark.parametrize("url", PROBES)
def test_probe_answers_ok_without_login(db, url):
    response = Client().get(url)
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("url", PROBES)
def test_probe_sets_no_cookie_and_is_never_cached(db, url):
    response = Client().get(url)
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")


def test_healthz_does_not_touch_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert Client().get("/healthz").status_code == 200


def test_readyz_asks_the_database_once(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert Client().get("/readyz").status_code == 200


@pytest.mark.parametrize("url", PROBES)
def test_probe_answers_head_for_load_balancers(db, url):
    assert Client().head(url).status_code == 200


@pytest.mark.parametrize("url", PROBES)
def test_probe_is_not_redirected_to_https(db, settings, url):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get(url).status_code == 200
    assert Client().get("/login/").status_code == 301
