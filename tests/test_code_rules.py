"""Rules that make forgetting impossible (STYLE.md): views and APIs read record data and the
audit trail only through selectors, and nothing outside services writes them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD_APPS = ("records", "audit", "access_requests", "sharing", "retention")
# Modules that write, besides each app's services.py: privacy monitoring raises its alerts
# from the periodic task (audit/alerts.py is its service); a worker renders bundles and sends
# reminders (access_requests/disclosure.py and reminders.py are their services), and
# outbound sharing packages (sharing/packages.py); disposal's destroyers are called only by
# retention's services, inside the transaction that re-checked the holds.
WRITERS = {
    "audit": ("alerts.py",),
    "access_requests": ("disclosure.py", "reminders.py"),
    "sharing": ("packages.py",),
    "retention": ("destruction.py", "other_records.py"),
}
WRITE_CALL = re.compile(
    r"(?<!super\(\))\.(save|delete|bulk_create|bulk_update|update_or_create|get_or_create)\(|"
    r"\.objects\.create\(|(\.filter\(.*\)|\.objects|\.all\(\)|\.exclude\(.*\))\.update\("
)


def _record_model_query() -> re.Pattern[str]:
    from django.apps import apps

    names = sorted(
        model.__name__ for app in RECORD_APPS for model in apps.get_app_config(app).get_models()
    )
    return re.compile(rf"\b({'|'.join(names)})\.objects\b")


def _sources(app: str, *, skip: tuple[str, ...]) -> list[Path]:
    files = []
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT / app).as_posix()
        if relative.startswith(("migrations/", "tests/")) or relative in skip:
            continue
        files.append(path)
    return files


def test_views_and_apis_never_query_models_directly() -> None:
    model_query = _record_model_query()
    offenders = []
    for app in RECORD_APPS:
        for path in _sources(app, skip=()):
            relative = path.relative_to(ROOT / app).as_posix()
            if not (relative == "views.py" or relative.startswith("api/")):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if model_query.search(line):
                    offenders.append(f"{app}/{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_only_services_write_record_data() -> None:
    offenders = []
    for app in RECORD_APPS:
        for path in _sources(app, skip=("services.py", "models.py", *WRITERS.get(app, ()))):
            relative = path.relative_to(ROOT / app).as_posix()
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if WRITE_CALL.search(line) and "# write-ok" not in line:
                    offenders.append(f"{app}/{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_the_rules_catch_what_they_are_meant_to() -> None:
    assert _record_model_query().search("people = Person.objects.filter(x=1)")
    assert not _record_model_query().search("User.objects.filter(x=1)")
    assert _record_model_query().search("AuditEvent.objects.filter(actor=user)")
    assert WRITE_CALL.search("Item.objects.filter(pk=1).update(title='x')")
    assert not WRITE_CALL.search("digest.update(chunk)")
    assert WRITE_CALL.search("item.save(update_fields=['title'])")
    assert WRITE_CALL.search("Case.objects.create(reference='x')")
    assert not WRITE_CALL.search("super().save(*args, **kwargs)")
