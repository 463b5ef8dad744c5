from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kohoshi.newsletters.models import Category

from kohoshi.accounts.login_throttle import login_failure_record, login_locked, login_success_clear


class ErrorsDescribedMixin:
    """Tie each field's error message (id `<field id>_error`, see staff/_field.html) to its input."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                ids = [f"{bound.auto_id}_error"] + ([f"{bound.auto_id}_helptext"] if bound.help_text else [])
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)


class StaffAuthenticationForm(ErrorsDescribedMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("ユーザー名またはパスワードが正しくありません。"),
        "locked": _("ログインの失敗が続いたため、しばらくの間ログインできません。時間をおいてお試しください。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if login_locked(self.request, username):
            raise ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            login_failure_record(self.request, username)
            raise
        login_success_clear(self.request, username)
        return cleaned


class ArticleForm(ErrorsDescribedMixin, forms.Form):
    title = forms.CharField(label=_("記事タイトル"), max_length=300)
    category = forms.ModelChoiceField(label=_("カテゴリ"), queryset=Category.objects.all(), empty_label=None)
    body = forms.CharField(
        label=_("本文"),
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("「■」で始まる行は見出し、「◇」で始まる行は小見出しになります。"),
    )


class ScheduleForm(ErrorsDescribedMixin, forms.Form):
    at = forms.DateTimeField(
        label=_("公開日時"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("空欄のときはすぐに公開します。未来の日時を入れると、その時刻に公開されます。"),
    )


class SurveyQuestionForm(ErrorsDescribedMixin, forms.Form):
    text = forms.CharField(label=_("設問文"), max_length=200)
    choices = forms.CharField(
        label=_("選択肢(1行に1つ)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    enabled = forms.BooleanField(label=_("この設問を使う"), required=False)


def survey_question_forms(questions, data=None):
    """One prefixed form per question slot, initialised from the municipality's current wording."""
    return [
        (
            question,
            SurveyQuestionForm(
                data,
                prefix=question.key,
                initial={"text": question.text, "choices": "\n".join(question.choices), "enabled": question.enabled},
            ),
        )
        for question in questions
    ]

