"""gunicorn's settings for Who Benefits, read from the directory gunicorn starts in.

Flags and GUNICORN_CMD_ARGS override them: `gunicorn --bind 127.0.0.1:8000`.
"""

import os

wsgi_app = "whobenefits.wsgi"
# Sync workers serve one request at a time each, so each holds one persistent database
# connection (settings.py: CONN_MAX_AGE, health-checked): 2 workers, 2 connections.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# A request still running after this is killed with its worker; its transaction is rolled
# back (every save is one transaction), and the master starts a new worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# The app is loaded in each worker after the fork (no preload_app): a database connection
# or thread opened in the master would be shared by every worker.
preload_app = False
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# No control socket: gunicornc is not used, and every gunicorn on a machine would share
# its one default path.
control_socket_disable = True
