"""The small form of each workflow transition: one text (comment, reason or 所見).

The text is the entry form's own kind of field (``JapaneseTextField``, the same bound
``TEXT_MAX_LENGTH``): a line break counts once, the browser does not cut a paste, a text
too long gets the same message as a long 実施の背景. Then the form checks the text with
the service's own rule (``transitions.clean_text``), so the page and the service say the
same thing in the same words.
"""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from core.formfields import JapaneseTextField
from evalsheets.workflow.transitions import TEXT_MAX_LENGTH, Transition, WorkflowError, clean_text


class TransitionForm(forms.Form):
    def __init__(self, transition: Transition, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{transition.action}_%s")
        super().__init__(*args, **kwargs)
        self.transition = transition
        text = JapaneseTextField(
            label=transition.text_label,
            max_length=TEXT_MAX_LENGTH,
            multiline=True,
            rows=4 if transition.action == "approve" else 2,
            required=False,  # clean() applies the service's rule and message
            strip=True,
        )
        text.widget.attrs["required"] = transition.text_required
        # The service's rule speaks for NUL too (Django's own message is vaguer).
        text.validators = [
            v for v in text.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        self.fields[transition.text_field] = text

    @property
    def text_field(self):
        return self[self.transition.text_field]

    def clean(self):
        cleaned = super().clean()
        name = self.transition.text_field
        if name in self.errors:
            return cleaned
        try:
            cleaned[name] = clean_text(self.transition, cleaned.get(name, ""))
        except WorkflowError as exc:
            self.add_error(name, exc.message)
        return cleaned

    @property
    def text(self) -> str:
        return self.cleaned_data[self.transition.text_field]
