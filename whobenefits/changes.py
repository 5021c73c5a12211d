"""Pages cached until the data changes: a stamp every committed write renews, and rendered
fragments kept per stamp.

Every INSERT, UPDATE, DELETE or TRUNCATE through Django (a form, a model method,
QuerySet.update() and bulk_create() that send no signals, the admin, an import in the task
worker, a migration) marks its transaction, and committing it renews one row's random token
in the same transaction (the database backends in whobenefits/backends add this to
Django's); a statement outside any transaction renews it right after it commits. A page
computed after reading the token is at least as new as it, so a fragment cached under a
token is never older than the data that token stands for, in any process: each gunicorn
worker keeps its own fragments and they all read the one shared row. Random, so a token
rolled back is never seen again. Renewed at commit, not at the first write, so writers wait
on each other only for the moment of committing.

A fragment is cached per token, date (renewals "within 90 days", the current quarter),
URL, permissions, language and time zone: whatever it shows must depend on nothing else.

A second token, the history stamp, is renewed only when a committed write rewrites history
records (an UPDATE or DELETE of one, a TRUNCATE): simple-history only ever appends them,
dated when written, so what the records said about a moment already past can change only
then. What is computed from that past alone (plan against reality's plan for a quarter that
has begun) is kept under this token, and survives every ordinary write.

And one token per group of tables (TABLE_STAMPS, by name prefix), renewed by a committed
write to any of them: a value computed from those tables only (the dashboard's listening
coverage reads the evidence and the personas) is kept per process under their tokens
(`kept`), so a triage or an edit of the roadmap does not compute it again.

A request reads every token once, in one query, and keeps them until it ends or its own
connection writes (a write renews a token): what it computes after that read is at least
as new as them, even when another process writes meanwhile.
"""

import re
import threading
import uuid
from collections import OrderedDict

from django.core.signals import request_finished, request_started, setting_changed
from django.db import connection
from django.utils import timezone, translation

STAMP_TABLE = "audit_changestamp"
STAMP, HISTORY_STAMP = 1, 2  # the rows of STAMP_TABLE: any write; history rewritten
# More rows: a write to a table whose name starts so renews its row too.
TABLE_STAMPS = {"evidence_": 3, "personas_": 4, "roadmap_reviewthresholds": 5,
                # the roadmap list's bulk menus: people and their roles, products
                "auth_": 6, "roadmap_product": 7}
# Written while people only read (a login's session, django-axes' log, the task queue's
# bookkeeping): no page shows them, so they leave the stamp alone.
UNSTAMPED = {STAMP_TABLE, "django_session", "axes_accessattempt", "axes_accesslog",
             "axes_accessfailurelog", "axes_accessattemptexpiration",
             "django_tasks_database_dbtaskresult",
             # Derived from history records only, kept under the history stamp.
             "roadmap_quarterplan"}
WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)'
                   r'\s+"?(\w+)', re.IGNORECASE)
TRUNCATE = re.compile(r"\s*TRUNCATE\b", re.IGNORECASE)
CHANGE = re.compile(r'\s*(?:UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
# roadmap.models.save_with_picks writes an answer's record, then marks it the creation
# ("+"): that record was just written, dated now, so no past moment reads differently.
MARK_CREATED = re.compile(r'\s*UPDATE\s+"?\w+"?\s+SET\s+"?history_type"?\s*=\s*%s\s+WHERE\b',
                          re.IGNORECASE)


def writes(sql):
    """Whether the statement changes data a page may show."""
    return bool(stamps_renewed(sql))


def stamps_renewed(sql, params=()):
    """The rows of STAMP_TABLE the statement's commit renews (none for a read, or a write
    no page shows)."""
    if TRUNCATE.match(sql):  # Django truncates many tables at once
        return {STAMP, HISTORY_STAMP, *TABLE_STAMPS.values()}
    match = WRITE.match(sql)
    table = match[1].lower() if match else None
    if table is None or table in UNSTAMPED:
        return set()
    renewed = {STAMP, *(row for prefix, row in TABLE_STAMPS.items() if table.startswith(prefix))}
    if rewrites_history(sql, params):
        renewed.add(HISTORY_STAMP)
    return renewed


def rewrites_history(sql, params=()):
    """Whether the statement changes or removes history records (simple-history's tables,
    `<app>_historical<model>`), rather than appending one."""
    if TRUNCATE.match(sql):
        return True
    match = CHANGE.match(sql)
    if not match or "_historical" not in match[1].lower():
        return False
    return not (MARK_CREATED.match(sql) and list(params or ())[:1] == ["+"])


class StampsCommits:
    """Mixed into a database backend's DatabaseWrapper: marks each transaction that writes
    and renews the stamp when it commits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stamps_due = set()  # what this transaction's writes renew when it commits
        self.in_request = False
        self.tokens_read = None  # this request's read of the tokens (see tokens())
        self._stamp_table_ready = False
        self.execute_wrappers.append(self._note_write)

    @property
    def wrote(self):
        """This transaction changed data; the stamp follows at commit."""
        return STAMP in self.stamps_due

    @property
    def rewrote_history(self):
        return HISTORY_STAMP in self.stamps_due

    def _note_write(self, execute, sql, params, many, context):
        renewed = stamps_renewed(sql, () if many else params)
        if not renewed:
            return execute(sql, params, many, context)
        if self.in_atomic_block or not self.get_autocommit():
            self.stamps_due |= renewed
            return execute(sql, params, many, context)
        # A lone statement (QuerySet.update(), a save) commits as it runs: the stamp right
        # after it (never before: a page read between would be cached under the new stamp).
        result = execute(sql, params, many, context)
        self._renew_stamps(renewed)
        return result

    def _commit(self):
        if self.stamps_due and self.connection is not None:
            self._renew_stamps(self.stamps_due)
        self.stamps_due = set()
        return super()._commit()

    def _renew_stamps(self, rows):
        self.tokens_read = None
        if self._stamp_table_exists():
            with self.cursor() as cursor:
                for row in sorted(rows):  # always in one order: no deadlock between writers
                    cursor.execute("INSERT INTO audit_changestamp (id, token) VALUES (%s, %s) "
                                   "ON CONFLICT (id) DO UPDATE SET token = excluded.token",
                                   [row, uuid.uuid4().hex])

    def _rollback(self):
        self.stamps_due = set()
        return super()._rollback()

    def _stamp_table_exists(self):
        # Not yet while the first migrations run.
        if not self._stamp_table_ready:
            with self.cursor() as cursor:
                self._stamp_table_ready = STAMP_TABLE in self.introspection.table_names(cursor)
        return self._stamp_table_ready


def tokens():
    """{row of STAMP_TABLE: token}, all in one query, read once per request: again only
    after this connection renewed one."""
    read = getattr(connection, "tokens_read", None)
    if read is not None:
        return read
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, token FROM audit_changestamp")
        read = dict(cursor.fetchall())
    if getattr(connection, "in_request", False):
        connection.tokens_read = read
    return read


def current_stamp():
    """The token of the last committed write, or None when it cannot vouch for the data: no
    token yet, or this connection has written in a transaction not yet committed (a page
    must show those writes; no token stands for them)."""
    if getattr(connection, "wrote", True):
        return None
    return tokens().get(STAMP)


def table_stamps(prefixes):
    """The tokens of the TABLE_STAMPS rows of `prefixes` ("" for one never renewed yet);
    None when this connection has written in a transaction not yet committed."""
    if getattr(connection, "wrote", True):
        return None
    read = tokens()
    return tuple(read.get(TABLE_STAMPS[prefix], "") for prefix in prefixes)


def _request_started(**kwargs):
    connection.in_request, connection.tokens_read = True, None


def _request_finished(**kwargs):
    connection.in_request, connection.tokens_read = False, None


# Connected here, once, for every request of every process (the tokens are per thread, as
# its connection is).
request_started.connect(_request_started)
request_finished.connect(_request_finished)


class KeptValues:
    """Values computed from a few groups of tables only (TABLE_STAMPS), kept in this process
    until a committed write to one of them."""

    def __init__(self, size=64):
        self.size = size
        self.values = OrderedDict()
        self.lock = threading.Lock()

    def get_or_compute(self, key, compute, *, reads):
        """`compute()`'s value for `key`, computed again only after a write to the tables of
        `reads` (TABLE_STAMPS prefixes): it must read nothing else. Not to be changed."""
        tokens = table_stamps(reads)
        if tokens is None:
            return compute()
        key = (key, tuple(reads), tokens)
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        value = compute()
        with self.lock:
            self.values[key] = value
            if len(self.values) > self.size:
                self.values.popitem(last=False)
        return value

    def clear(self, **kwargs):
        with self.lock:
            self.values = OrderedDict()


def history_rewritten_here():
    """Whether this connection's open transaction has rewritten history records: what was
    kept under the history stamp cannot vouch for them until it commits."""
    return getattr(connection, "rewrote_history", True)


class FragmentCache:
    """Rendered fragments (or other values made from the data) of the current stamp, at most
    `size` of them, in this process."""

    def __init__(self, size=256):
        self.size = size
        self.stamp = None
        self.fragments = OrderedDict()
        self.lock = threading.Lock()

    def get_or_render(self, request, render, vary=()):
        """`render()`'s HTML for this request, rendered again only when the data, the date,
        the URL or the person's permissions differ from a cached one (or `vary`)."""
        # A form's token belongs to one person: never shared.
        return self.get_or_make(request, render, vary,
                                shared=lambda html: 'name="csrfmiddlewaretoken"' not in html)

    def get_or_make(self, request, make, vary=(), shared=lambda value: True):
        """`make()`'s value for this request, made again as get_or_render() renders again;
        kept only when `shared(value)`. Whoever reads it must not change it."""
        stamp = current_stamp()
        if stamp is None:
            return make()
        key = (request.get_full_path(), timezone.localdate(), translation.get_language(),
               timezone.get_current_timezone_name(),
               tuple(sorted(request.user.get_all_permissions())), request.user.is_superuser,
               *vary)
        with self.lock:
            if stamp != self.stamp:
                self.stamp, self.fragments = stamp, OrderedDict()
            value = self.fragments.get(key)
            if value is not None:
                self.fragments.move_to_end(key)
                return value
        value = make()
        if not shared(value):
            return value
        with self.lock:
            if stamp == self.stamp:
                self.fragments[key] = value
                if len(self.fragments) > self.size:
                    self.fragments.popitem(last=False)
        return value

    def clear(self, **kwargs):
        with self.lock:
            self.stamp, self.fragments = None, OrderedDict()


fragments = FragmentCache()
setting_changed.connect(fragments.clear)  # a test's changed setting may change a page
# The roadmap list's pages (its count and rows), apart: they would crowd out the fragments.
list_pages = FragmentCache(size=64)
setting_changed.connect(list_pages.clear)
kept = KeptValues()
setting_changed.connect(kept.clear)
