import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    DisposalItem = apps.get_model("retention", "DisposalItem")
    for item in DisposalItem.objects.filter(public_id__isnull=True).only("pk"):
        DisposalItem.objects.filter(pk=item.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("retention", "0006_resume_schedule")]

    operations = [
        migrations.AddField(
            model_name="disposalitem",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="disposalitem",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
