"""The forms of the year workbook page: which year to export, which file to import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.import_limits import import_max_bytes, limits_text
from core.wareki import fiscal_year_label
from evalsheets.transfer.reading import too_large


class ExportYearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("実施年度"), coerce=int)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, fiscal_year_label(y)) for y in years]
        self.fields["year"].error_messages["invalid_choice"] = _(
            "この年度の評価シートはありません。一覧から選んでください。"
        )
        self.fields["year"].error_messages["required"] = _("実施年度を選んでください。")


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("取り込むファイル（.xlsx または .csv）"),
        error_messages={
            "required": _("取り込むファイルを選んでください。"),
            "empty": _("ファイルが空です。"),
            "invalid": _("ファイルを読み取れませんでした。もう一度選んでください。"),
        },
    )

    def __init__(self, *args, oversized=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = set(oversized)
        self.fields["file"].help_text = limits_text() + _(
            "CSVはUTF-8またはShift_JISで、1つの表だけを取り込めます。"
        )

    def clean(self):
        if "file" in self.oversized:
            self.errors.pop("file", None)
            self.add_error("file", too_large().message)
            return self.cleaned_data
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None and upload.size > import_max_bytes():
            self.add_error("file", too_large().message)
        return cleaned


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
