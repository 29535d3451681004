"""Foreign keys into people, cases and items refuse a delete at once (ON DELETE RESTRICT, not
deferred) instead of checking at commit (Django's NO ACTION, deferred).

Both refuse to leave a reference to a destroyed record. NO ACTION first looks whether another
row now holds the deleted key, then looks for references: two lookups per deleted row per
foreign key, about 450 for a case with its items and people. RESTRICT makes only the second,
which takes about a quarter off the database's share of a disposal. The destroyers delete
what refers to a record before the record itself (``retention/destruction.py``).

PostgreSQL only: SQLite has no per-row cost to save. A test checks that every foreign key into
these tables is of this kind, so one added later by Django (deferred) is caught."""

from django.db import migrations, transaction

RESTRICTED = ("records_person", "records_case", "records_item")

FOREIGN_KEYS = """
SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s)
"""


def _rewrite(schema_editor, restrict: bool) -> None:
    """Each key in its own short transaction: the new one is added NOT VALID (no scan) and
    takes the old one's place, then existing rows are validated outside it, so the records
    tables are never locked against writes for the length of a scan."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(FOREIGN_KEYS, [list(RESTRICTED)])
        keys = cursor.fetchall()
    for name, table, definition in keys:
        base = (
            definition.replace(" DEFERRABLE INITIALLY DEFERRED", "")
            .replace(" ON DELETE RESTRICT", "")
            .replace(" NOT VALID", "")
        )
        tail = " ON DELETE RESTRICT" if restrict else " DEFERRABLE INITIALLY DEFERRED"
        quoted = schema_editor.quote_name(name)
        interim = schema_editor.quote_name(f"{name[:50]}_next")
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {interim} {base}{tail} NOT VALID")
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted}")
            cursor.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {interim} TO {quoted}")
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quoted}")


def restrict(apps, schema_editor):
    _rewrite(schema_editor, restrict=True)


def defer(apps, schema_editor):
    _rewrite(schema_editor, restrict=False)


class Migration(migrations.Migration):
    atomic = False  # each key changes in its own short transaction (``_rewrite``)

    dependencies = [
        ("retention", "0009_record_span"),
        ("records", "0003_revisions_never_change"),
        ("access_requests", "0002_daily_reminders"),
        ("sharing", "0003_package_link_per_live_recipient"),
        ("audit", "0005_erasable_object_index"),
    ]

    operations = [migrations.RunPython(restrict, defer)]
