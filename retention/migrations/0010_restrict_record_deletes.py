"""Foreign keys into people, cases and items refuse a delete at once (ON DELETE RESTRICT, not
deferred) instead of checking at commit (Django's NO ACTION, deferred).

Both refuse to leave a reference to a destroyed record. NO ACTION first looks whether another
row now holds the deleted key, then looks for references: two lookups per deleted row per
foreign key, about 450 for a case with its items and people. RESTRICT makes only the second,
which takes about a quarter off the database's share of a disposal. The destroyers delete
what refers to a record before the record itself (``retention/destruction.py``).

PostgreSQL only: SQLite has no per-row cost to save. A test checks that every foreign key into
these tables is of this kind, so one added later by Django (deferred) is caught."""

from django.db import migrations

RESTRICTED = ("records_person", "records_case", "records_item")

FOREIGN_KEYS = """
SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s)
"""


def _rewrite(schema_editor, restrict: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FOREIGN_KEYS, [list(RESTRICTED)])
        for name, table, definition in cursor.fetchall():
            base = (
                definition.replace(" DEFERRABLE INITIALLY DEFERRED", "")
                .replace(" ON DELETE RESTRICT", "")
                .replace(" NOT VALID", "")
            )
            tail = " ON DELETE RESTRICT" if restrict else " DEFERRABLE INITIALLY DEFERRED"
            quoted = schema_editor.quote_name(name)
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted}")
            # NOT VALID then VALIDATE: existing rows are checked without blocking writes.
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quoted} {base}{tail} NOT VALID")
            cursor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quoted}")


def restrict(apps, schema_editor):
    _rewrite(schema_editor, restrict=True)


def defer(apps, schema_editor):
    _rewrite(schema_editor, restrict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0009_record_span"),
        ("records", "0003_revisions_never_change"),
        ("access_requests", "0002_daily_reminders"),
        ("sharing", "0003_package_link_per_live_recipient"),
        ("audit", "0005_erasable_object_index"),
    ]

    operations = [migrations.RunPython(restrict, defer)]
