from django import forms
from django.utils.translation import gettext, gettext_lazy as _

from .questions import Question


class SurveyForm(forms.Form):
    """The reader's form, built from the municipality's questions.

    `website` is a honeypot: hidden from people, filled in by form-spamming bots.
    """

    website = forms.CharField(required=False, label=_("ウェブサイト(入力しないでください)"))

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = [q for q in questions if q.enabled]
        for q in self.questions:
            if q.is_text:
                self.fields[q.key] = forms.CharField(
                    label=gettext(q.text),
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    help_text=_("お名前や連絡先など、個人が特定できる内容は書かないでください。"),
                )
            else:
                self.fields[q.key] = forms.ChoiceField(
                    label=gettext(q.text),
                    required=q.required,
                    # The value stays the Japanese choice (what is stored and counted); the
                    # default wording is shown in the reader's language.
                    choices=[(c, gettext(c)) for c in q.choices],
                    widget=forms.RadioSelect,
                    error_messages={"required": _("いずれかを選んでください。")},
                )

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def answers(self) -> dict[str, str]:
        return {q.key: self.cleaned_data.get(q.key) or "" for q in self.questions}
