"""Helpers of the entry-form tests: read a form as a browser would, snapshot a sheet."""

from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict

from evalsheets.models import (
    ActivityIndicator,
    ActivityValue,
    AssessmentAnswer,
    CostRow,
    EvaluationSheet,
    OutcomeIndicator,
    OutcomeValue,
    ScheduleEntry,
    ScheduleItem,
    StaffEffort,
    SubProject,
)

DEMO_SHEETS = {
    # form: (project code, 担当者, 課長, 閲覧者)
    "tamana_furikaeri": ("741-2", "tamana-staff", "tamana-chief", "tamana-viewer"),
    "isehara_hyoka": ("40-106", "isehara-staff", "isehara-chief", "isehara-viewer"),
    "hitoyoshi_plan": ("6-1-1", "hitoyoshi-staff", "hitoyoshi-chief", "hitoyoshi-viewer"),
}


def user(username):
    return get_user_model().objects.get(username=username)


def make_draft(sheet):
    """The demo sheets are published: put one back to 下書き for editing."""
    EvaluationSheet.objects.filter(pk=sheet.pk).update(
        state="draft", approved_at=None, approved_by=None, published_at=None
    )
    sheet.refresh_from_db()
    return sheet


class _FormReader(HTMLParser):
    """The successful controls of <form id="entry-form"> (not those inside <template>)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.template_depth = 0
        self.data = {}
        self.kinds = {}
        self.options = {}
        self._textarea = None
        self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
        if not self.in_form:
            return
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            self.kinds[name] = "num" if "num" in (attrs.get("class") or "").split() else kind
            if kind in ("checkbox", "radio"):
                self.options.setdefault(name, []).append(attrs.get("value", "on"))
                self.data.setdefault(name, [])
                if "checked" in attrs:
                    self.data[name].append(attrs.get("value", "on"))
            elif kind != "submit":
                self.data[name] = [attrs.get("value", "")]
        elif tag == "textarea" and name:
            self._textarea = name
            self.kinds[name] = "textarea"
            self.data[name] = [""]
        elif tag == "select" and name:
            self._select = name
            self.kinds[name] = "select"
            self.data[name] = []
        elif tag == "option" and self._select:
            self.options.setdefault(self._select, []).append(attrs.get("value", ""))
            if "selected" in attrs:
                self.data[self._select] = [attrs.get("value", "")]

    def handle_endtag(self, tag):
        if tag == "template" and self.in_form:
            self.template_depth -= 1
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            if self._select and not self.data[self._select] and self.options.get(self._select):
                self.data[self._select] = [self.options[self._select][0]]
            self._select = None
        elif tag == "form" and self.in_form:
            self.in_form = False

    def handle_data(self, data):
        if self._textarea and not self.template_depth:
            self.data[self._textarea][0] += data


def read_form(html: bytes | str, form_id="entry-form"):
    """(data as a browser would post it, {name: kind}, {name: options})."""
    reader = _FormReader(form_id)
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    data = {}
    for name, values in reader.data.items():
        if reader.kinds.get(name) == "textarea" and values:
            # A browser drops the one newline right after <textarea>.
            values = [values[0][1:] if values[0].startswith("\n") else values[0]]
        data[name] = values
    return data, reader.kinds, reader.options


def post_data(data: dict) -> dict:
    """{name: [values]} → what Client.post sends (lists for repeated names, blank dropped)."""
    out = {}
    for name, values in data.items():
        if not values:
            continue
        out[name] = values if len(values) > 1 else values[0]
    return out


def snapshot(sheet) -> dict:
    """Every stored value of a sheet and its children (not updated_at)."""
    sheet = EvaluationSheet.objects.get(pk=sheet.pk)
    base = model_to_dict(sheet)
    base.pop("updated_at", None)

    def rows(qs):
        return sorted((model_to_dict(obj) for obj in qs), key=lambda d: d["id"])

    return {
        "sheet": base,
        "subs": rows(SubProject.objects.filter(sheet=sheet)),
        "acts": rows(ActivityIndicator.objects.filter(sub_project__sheet=sheet)),
        "act_values": rows(ActivityValue.objects.filter(indicator__sub_project__sheet=sheet)),
        "outs": rows(OutcomeIndicator.objects.filter(sheet=sheet)),
        "out_values": rows(OutcomeValue.objects.filter(indicator__sheet=sheet)),
        "costs": rows(CostRow.objects.filter(sheet=sheet)),
        "efforts": rows(StaffEffort.objects.filter(sheet=sheet)),
        "items": rows(ScheduleItem.objects.filter(sheet=sheet)),
        "entries": rows(ScheduleEntry.objects.filter(item__sheet=sheet)),
        "answers": rows(AssessmentAnswer.objects.filter(sheet=sheet)),
    }
