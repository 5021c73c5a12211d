"""Django's SQLite and PostgreSQL backends, plus the stamp of whobenefits.changes."""
