"""What a security review checks: deploy settings, headers, CSP, login throttling, the log."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.factories import make_person

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password"


def check_deploy(**env):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a server has no such thing.
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**clean, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(60),
           "ALLOWED_HOSTS": "whobenefits.example.com",
           "CSRF_TRUSTED_ORIGINS": "https://whobenefits.example.com", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=60, check=False,
    )


def test_check_deploy_passes_under_production_settings():
    result = check_deploy(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                          EMAIL_HOST="smtp.example.com")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_says_when_email_is_not_set_up():
    # The console default prints emails in the worker's output: fine on a laptop, not live.
    result = check_deploy()
    assert result.returncode != 0
    assert "mail.E001" in result.stderr and "console.EmailBackend" in result.stderr


def test_production_settings_turn_on_https_protections():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(60)}
    code = ("from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
        env={**env, "DJANGO_SETTINGS_MODULE": "whobenefits.settings"},
    )
    assert result.stdout.split() == ["True"] * 5, result.stderr


@pytest.mark.parametrize(("hosts", "https_only"), [
    ("127.0.0.1,localhost,[::1]", "False False False 0 False"),  # make serve
    ("127.0.0.1,whobenefits.example.com", "True True True 31536000 True"),
])
def test_plain_http_is_allowed_only_for_loopback_hosts(hosts, https_only):
    code = ("from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(60),
             "ALLOWED_HOSTS": hosts, "DJANGO_SETTINGS_MODULE": "whobenefits.settings"},
    )
    assert result.stdout.split() == https_only.split(), result.stderr


def test_every_page_sends_the_security_headers(pm_client):
    response = pm_client.get(reverse("roadmap:item-list"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_is_sent_over_https_in_production(pm_client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = pm_client.get(reverse("roadmap:item-list"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]


@pytest.mark.parametrize("url_name", ["roadmap:item-list", "login", "admin:index", "audit:trail"])
def test_content_security_policy_forbids_inline_code_and_framing(admin_client, url_name):
    csp = admin_client.get(reverse(url_name))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_pages_have_no_inline_scripts_or_styles(admin_client, item):
    for url in [reverse("roadmap:item-list"), item.get_absolute_url(),
                reverse("personas:persona-list"), reverse("audit:trail")]:
        html = admin_client.get(url).content.decode()
        assert "<style" not in html and " style=" not in html, url
        for tag in html.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), url


def test_htmx_is_vendored_and_configured_without_eval(pm_client):
    html = pm_client.get(reverse("roadmap:item-list")).content.decode()
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert (ROOT / "static/vendor/htmx-2.0.11.min.js").exists()


def test_password_validators_refuse_a_weak_password(admin_client):
    response = admin_client.post(reverse("admin:auth_user_add"), {
        "username": "newbie", "password1": "password", "password2": "password",
        "usable_password": "true",
    })
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()


# Login, logout and the lockout


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_rotates_the_session_key(client, db):
    make_person(username="rotor")
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    assert log_in(client, "rotor", PASSWORD).status_code == 302
    assert client.session.session_key != before


def test_logout_ends_the_session(client, db):
    make_person("Product manager", username="leaver")
    log_in(client, "leaver", PASSWORD)
    key = client.session.session_key
    client.post(reverse("logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("roadmap:item-list")).status_code == 302


def test_htmx_from_an_ended_session_gets_401_not_the_login_page(client, db):
    url = reverse("roadmap:dashboard")
    response = client.get(url, {"product": "x"}, headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert "Location" not in response
    assert b"<html" not in response.content
    post = client.post(reverse("roadmap:triage-queue"), headers={"HX-Request": "true"})
    assert post.status_code == 401
    assert client.get(url).status_code == 302  # a whole page still goes to the login page
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert client.get(url, headers=restore).status_code == 302  # back/forward: a whole page


def test_pages_carry_the_hidden_session_ended_notice(pm_client):
    response = pm_client.get(reverse("roadmap:item-list"))
    assertContains(response, "Your session has ended")
    assertContains(response, f'href="{reverse("login")}?next=/roadmap/"')


def failed_login_page(response):
    """The part of the login answer a guesser sees: status and the page without its tokens."""
    html = response.content.decode()
    start, end = html.index("<main"), html.index("</main>")
    body = html[start:end]
    token_start = body.index('name="csrfmiddlewaretoken" value="')
    token_end = body.index('"', token_start + 34)
    return response.status_code, body[:token_start] + body[token_end:]


def test_locked_wrong_and_unknown_logins_look_the_same(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_person(username="target")
    wrong = failed_login_page(log_in(client, "target", "not-it"))
    unknown = failed_login_page(log_in(client, "nobody-here", "not-it"))
    log_in(client, "target", "not-it")
    log_in(client, "target", "not-it")
    locked_right_password = failed_login_page(log_in(client, "target", PASSWORD))
    assert wrong[0] == unknown[0] == locked_right_password[0] == 200
    assert wrong[1].replace("not-it", "") == locked_right_password[1].replace("not-it", "")
    assert "Please enter a correct username and password" in locked_right_password[1]
    assert wrong[1].replace("target", "") == unknown[1].replace("nobody-here", "")


def test_a_locked_account_cannot_log_in_even_with_the_right_password(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_person("Product manager", username="target")
    log_in(client, "target", "no")
    log_in(client, "target", "no")
    log_in(client, "target", PASSWORD)
    assert "_auth_user_id" not in client.session


def test_logins_logouts_failures_and_lockouts_are_logged(client, db, settings, caplog):
    settings.AXES_FAILURE_LIMIT = 2
    make_person("Product manager", username="alice")
    with caplog.at_level(logging.INFO, logger="whobenefits.security"):
        log_in(client, "alice", PASSWORD)
        client.post(reverse("logout"))
        log_in(client, "alice", "wrong")
        log_in(client, "alice", "wrong")
    messages = [r.getMessage() for r in caplog.records if r.name == "whobenefits.security"]
    assert "login username='alice' address=127.0.0.1" in messages
    assert "logout username='alice' address=127.0.0.1" in messages
    assert "login failed username='alice' address=127.0.0.1" in messages
    assert "login locked out username='alice' address=127.0.0.1" in messages


def test_403_denials_are_logged_with_person_and_address(no_role_client, caplog):
    with caplog.at_level(logging.INFO, logger="whobenefits.security"):
        response = no_role_client.get(reverse("roadmap:item-list"))
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()
    denial = next(r.getMessage() for r in caplog.records if "403 denied" in r.getMessage())
    assert "username='visitor'" in denial and "address=127.0.0.1" in denial
    assert "path='/roadmap/'" in denial


def test_session_cookies_are_http_only_and_same_site():
    assert django_settings.SESSION_COOKIE_HTTPONLY
    assert django_settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_behind_a_proxy_lockouts_count_the_clients_address_not_the_proxys(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 2
    make_person("Product manager", username="victim")
    make_person("Product manager", username="bystander")
    attacker = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    for username in ["victim", "other", "third"]:
        client.post(reverse("login"), {"username": username, "password": "x"}, **attacker)
    colleague = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    client.post(reverse("login"), {"username": "bystander", "password": PASSWORD}, **colleague)
    assert "_auth_user_id" in client.session


def test_a_forged_forwarded_for_does_not_escape_the_address_lockout(db, settings):
    from django.test import RequestFactory

    from audit.security_log import client_address

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
                                   HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"


def test_messages_live_in_the_session_not_in_a_readable_cookie(pm_client, item):
    response = pm_client.post(reverse("roadmap:item-edit", args=[item.pk]), {
        "title": "Single sign-on with SAML", "product": item.product_id, "description": "",
        "request_quote": "", "requesting_persona": "", "status": item.status,
        "horizon": item.horizon, "effort": "", "owner": "", "version": item.version,
    })
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["httponly"]
    page = pm_client.get(response["Location"])
    assertContains(page, "Saved “Single sign-on with SAML”.")
    assert "messages" not in page.cookies
    assert "Saved “Single sign-on with SAML”." not in pm_client.get(
        response["Location"]).content.decode()
