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
