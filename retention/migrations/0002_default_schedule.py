"""The default retention schedule for England (DOMAIN.md §5), loaded once: the records
manager edits it from here, and every change is a new version."""

from django.db import migrations

AUTHORITY_LAC = (
    "The Care Planning, Placement and Case Review (England) Regulations 2010, reg. 50; "
    "local retention schedule"
)
# code, name, kind, case categories, trigger, years, months, action, then, authority,
# years after death under 18
SCHEDULE = [
    (
        "looked_after",
        "Looked-after child and care leaver cases",
        "case",
        ["looked_after", "care_leaver"],
        "date_of_birth",
        75,
        0,
        "review",
        "destroy",
        AUTHORITY_LAC,
        15,
    ),
    (
        "adoption",
        "Adoption cases",
        "case",
        ["adoption"],
        "adoption_order",
        100,
        0,
        "review",
        "",
        "The Adoption Agencies Regulations 2005, reg. 42",
        None,
    ),
    (
        "child_protection",
        "Child protection cases",
        "case",
        ["child_protection"],
        "case_closure",
        35,
        0,
        "destroy",
        "",
        "Local retention schedule (Local Government Association guidance)",
        None,
    ),
    (
        "children_in_need",
        "Children in need cases",
        "case",
        ["child_in_need"],
        "date_of_birth",
        25,
        0,
        "destroy",
        "",
        "Local retention schedule: to the 25th birthday",
        None,
    ),
    (
        "early_help",
        "Early help and family hub cases",
        "case",
        ["early_help"],
        "date_of_birth",
        25,
        0,
        "destroy",
        "",
        "Local retention schedule: to the 25th birthday",
        None,
    ),
    (
        "childrens_health",
        "Health visiting and school nursing cases",
        "case",
        ["health_visiting", "school_nursing"],
        "date_of_birth",
        25,
        0,
        "destroy",
        "",
        "Records Management Code of Practice for Health and Social Care 2021: to the 25th birthday",
        None,
    ),
    (
        "yj_out_of_court",
        "Youth justice: out-of-court disposals and referral orders",
        "case",
        ["yj_out_of_court", "yj_referral_order"],
        "last_action",
        3,
        0,
        "destroy",
        "",
        "Youth Justice Board case management guidance",
        None,
    ),
    (
        "yj_court_order",
        "Youth justice: court orders",
        "case",
        ["yj_court_order"],
        "last_action",
        5,
        0,
        "destroy",
        "",
        "Youth Justice Board case management guidance",
        None,
    ),
    (
        "foster_carer",
        "Foster carer records",
        "case",
        ["foster_carer"],
        "case_closure",
        10,
        0,
        "destroy",
        "",
        "The Fostering Services (England) Regulations 2011, reg. 32",
        None,
    ),
    (
        "adult_social_care",
        "Adult social care cases",
        "case",
        ["adult_care", "adult_safeguarding", "carer", "occupational_therapy"],
        "closure_or_death",
        8,
        0,
        "review",
        "destroy",
        "Local retention schedule (Care Act 2014 records)",
        None,
    ),
    (
        "finance",
        "Financial assessments and direct payments",
        "case",
        ["finance"],
        "financial_year_end",
        6,
        0,
        "destroy",
        "",
        "Limitation Act 1980; HMRC requirements",
        None,
    ),
    (
        "complaints",
        "Data protection complaints",
        "complaint",
        [],
        "request_closure",
        6,
        0,
        "destroy",
        "",
        "Limitation Act 1980; local retention schedule",
        None,
    ),
    (
        "rights_requests",
        "Rights request case files",
        "rights_request",
        [],
        "request_closure",
        2,
        0,
        "destroy",
        "",
        "ICO retention guidance; local retention schedule",
        None,
    ),
    (
        "sharing_log",
        "Sharing log",
        "sharing_log",
        [],
        "last_action",
        6,
        0,
        "destroy",
        "",
        "Limitation Act 1980; local retention schedule",
        None,
    ),
    (
        "audit_events",
        "Audit events",
        "audit",
        [],
        "last_action",
        6,
        0,
        "anonymise",
        "",
        "Local retention schedule: personal values removed, the sealed record kept",
        None,
    ),
    (
        "surveys",
        "User research and survey responses",
        "survey",
        [],
        "study_end",
        0,
        6,
        "destroy",
        "",
        "UK GDPR Article 5(1)(e); research ethics approval",
        None,
    ),
]


def load(apps, schema_editor):
    RecordClass = apps.get_model("retention", "RecordClass")
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for (
        code,
        name,
        kind,
        categories,
        trigger,
        years,
        months,
        action,
        then,
        authority,
        after_death,
    ) in SCHEDULE:
        record_class, _ = RecordClass.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "case_categories": categories}
        )
        if not RetentionRule.objects.filter(record_class=record_class).exists():
            RetentionRule.objects.create(
                record_class=record_class,
                version=1,
                trigger=trigger,
                period_years=years,
                period_months=months,
                death_under_18_years=after_death,
                action=action,
                then_action=then,
                legal_authority=authority,
                reason="The default schedule (England)",
            )


def unload(apps, schema_editor):
    RecordClass = apps.get_model("retention", "RecordClass")
    RetentionRule = apps.get_model("retention", "RetentionRule")
    codes = [row[0] for row in SCHEDULE]
    RetentionRule.objects.filter(record_class__code__in=codes, version=1).delete()
    RecordClass.objects.filter(code__in=codes, rules__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
