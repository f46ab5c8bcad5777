"""At most 2000 characters in every long text of a sheet (issue 11, finding 5).

The forms have always refused longer texts, so only a text written past them (admin,
shell) can be longer. Such a text is not cut here: the migration stops first and names
each one, to be shortened by whoever wrote it before migrating again.
"""

import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Length

LIMIT = 2000
TEXT_COLUMNS = {
    "EvaluationSheet": (
        "background", "target", "intent", "purpose", "content", "summary", "policy",
        "work_done", "results", "issues", "improvement", "previous_review",
        "previous_review_status", "strategies", "manifesto",
    ),
    "SubProject": ("means",),
    "AssessmentAnswer": ("reason",),
    "Review": ("remarks", "head_comment"),
}


def refuse_longer_texts(apps, schema_editor):
    found = []
    for name, columns in TEXT_COLUMNS.items():
        model = apps.get_model("evalsheets", name)
        for column in columns:
            rows = model.objects.annotate(n=Length(column)).filter(n__gt=LIMIT)
            for pk, n in rows.values_list("pk", "n"):
                found.append(f"{name} {pk}: {column} ({n} characters)")
    if found:
        raise RuntimeError(
            f"Texts longer than {LIMIT} characters; shorten them, then migrate again:\n"
            + "\n".join(found)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('evalsheets', '0004_previous_direction'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_longer_texts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='assessmentanswer',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('reason'), 2000)), name='evalsheets_assessmentanswer_text_length', violation_error_message='判断理由は、それぞれ2000文字以内で入力してください。'),
        ),
        migrations.AddConstraint(
            model_name='evaluationsheet',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('background'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('target'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('intent'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('purpose'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('content'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('summary'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('policy'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('work_done'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('results'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('issues'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('improvement'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('previous_review'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('previous_review_status'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('strategies'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('manifesto'), 2000)), name='evalsheets_evaluationsheet_text_length', violation_error_message='評価シートの文章は、それぞれ2000文字以内で入力してください。'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('remarks'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('head_comment'), 2000)), name='evalsheets_review_text_length', violation_error_message='課長の所見・所管部長による総評は、それぞれ2000文字以内で入力してください。'),
        ),
        migrations.AddConstraint(
            model_name='subproject',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('means'), 2000)), name='evalsheets_subproject_text_length', violation_error_message='手段（細事業の具体的内容）は、それぞれ2000文字以内で入力してください。'),
        ),
    ]
