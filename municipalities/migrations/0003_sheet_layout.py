from django.db import migrations, models


class Migration(migrations.Migration):
    """The 様式 a municipality uses is called its sheet layout (SheetLayout), not a form."""

    dependencies = [
        ("municipalities", "0002_number_bounds"),
    ]

    operations = [
        migrations.RenameField(
            model_name="municipality",
            old_name="sheet_form",
            new_name="sheet_layout",
        ),
    ]
