"""The inbox forgets the order: ``order`` (a foreign key into the orders app) becomes
the generic ``subject`` ("order:<pk>"), filled from it."""

from django.db import migrations, models


def fill_subject(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(order__isnull=False).update(
        subject=models.functions.Concat(models.Value("order:"),
                                        models.functions.Cast("order_id", models.CharField())))


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="subject",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.RunPython(fill_subject, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="notification",
            name="order",
        ),
    ]
