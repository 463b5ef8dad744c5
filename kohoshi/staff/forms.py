from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kohoshi.accounts.login_throttle import login_failure_record, login_locked, login_success_clear
from kohoshi.ingest.limits import MAX_BYTES, pdf_upload_acceptable
from kohoshi.newsletters.models import Category, Newsletter


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
        help_text=_(
            "「■」で始まる行は見出し、「◇」は小見出し、「・」は箇条書きになります。"
            "「問合せ：環境課【電話】0144-32-6111」のように書くと問合せ先の枠になります。"
            "段落の間は空行にします。詳しくは「本文の書き方」をご覧ください。"
        ),
    )


NEW_NEWSLETTER = "new"


class UploadForm(ErrorsDescribedMixin, forms.Form):
    """A PDF for one of the municipality's newsletters. A new newsletter is a deliberate choice,
    with its name and a tick: a mistyped name used to become a second public newsletter."""

    newsletter = forms.ChoiceField(
        label=_("広報紙"), help_text=_("この自治体の広報紙から選びます。初めて載せる広報紙のときだけ「新しい広報紙を作る」を選びます。")
    )
    new_newsletter_title = forms.CharField(
        label=_("新しい広報紙の名前"), max_length=100, required=False,
        help_text=_("紙面の題字のとおりに入れてください。例: 広報あつぎ"),
    )
    new_newsletter_confirm = forms.BooleanField(
        label=_("一覧にない新しい広報紙として、サイトに加えます"), required=False,
        help_text=_("公開すると、この名前で新しい広報紙のページができます。"),
    )
    published_on = forms.DateField(label=_("発行日"), widget=forms.DateInput(attrs={"type": "date"}))
    number = forms.CharField(label=_("号数(任意)"), max_length=40, required=False, help_text=_("例: 第1421号"))
    pdf = forms.FileField(
        label=_("紙面PDF"),
        help_text=_("50MBまで、300ページまでのPDFファイル"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.newsletters = {str(n.pk): n for n in Newsletter.objects.filter(municipality=municipality).order_by("pk")}
        choices = [(pk, n.title) for pk, n in self.newsletters.items()]
        if len(choices) > 1:
            choices.insert(0, ("", _("選んでください")))
        field = self.fields["newsletter"]
        field.choices = [*choices, (NEW_NEWSLETTER, _("新しい広報紙を作る…"))]
        field.initial = next(iter(self.newsletters)) if len(self.newsletters) == 1 else (
            "" if self.newsletters else NEW_NEWSLETTER
        )

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("newsletter")
        if choice == NEW_NEWSLETTER:
            title = cleaned.get("new_newsletter_title", "").strip()
            if not title:
                self.add_error("new_newsletter_title", _("新しい広報紙の名前を入れてください。"))
            elif not cleaned.get("new_newsletter_confirm"):
                self.add_error(
                    "new_newsletter_confirm", _("一覧にない新しい広報紙を作るときは、ここにチェックを入れてください。")
                )
            cleaned["newsletter_title"] = title
        elif choice:
            cleaned["newsletter_title"] = self.newsletters[choice].title
        return cleaned

    @property
    def creates_newsletter(self) -> bool:
        return self.cleaned_data.get("newsletter") == NEW_NEWSLETTER

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size == 0:
            raise ValidationError(_("ファイルが空です(0バイト)。"))
        if upload.size > MAX_BYTES:
            raise ValidationError(_("ファイルが大きすぎます。50MBまでのPDFを選んでください。"))
        if not pdf_upload_acceptable(upload):
            raise ValidationError(_("PDFファイルではありません。紙面のPDFを選んでください。"))
        return upload


class SplitForm(forms.Form):
    line = forms.IntegerField(label=_("ここから新しい記事にする行"), min_value=2)
    title = forms.CharField(
        label=_("新しい記事のタイトル(任意)"),
        max_length=300,
        required=False,
        help_text=_("空のときは、選んだ行をタイトルにします。"),
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

