import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, **env}, timeout=60, check=False,
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
        env={**env, "DEBUG": "false"}, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_mode_starts_with_a_real_secret_key():
    result = manage("check", DEBUG="false", SECRET_KEY="x" * 60, ALLOWED_HOSTS="example.com")
    assert result.returncode == 0, result.stderr


def mailer(**env):
    """The default mailer the environment sets up, as `backend host port tls user timeout`;
    Django's deprecation warnings (the old EMAIL_* settings) are errors here."""
    script = ("from django.core.mail import mailers; m = mailers.default; "
              "print(type(m).__module__, *(getattr(m, name, '-') for name in "
              "('host', 'port', 'use_tls', 'username', 'timeout')))")
    result = subprocess.run(
        [sys.executable, "-W", "error::PendingDeprecationWarning", "-W",
         "error::DeprecationWarning", "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env}, timeout=60,
        check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_email_goes_to_the_console_by_default():
    assert mailer() == "django.core.mail.backends.console - - - - -"


def test_the_smtp_mailer_reads_the_documented_environment_variables():
    assert mailer(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                  EMAIL_HOST="smtp.example.com", EMAIL_USE_TLS="true",
                  EMAIL_HOST_USER="whobenefits", EMAIL_TIMEOUT="10") == (
        "django.core.mail.backends.smtp smtp.example.com 587 True whobenefits 10")
    assert mailer(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                  EMAIL_PORT="2525").split()[1:3] == ["localhost", "2525"]
