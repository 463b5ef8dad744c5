from django import forms
from django.utils.translation import gettext_lazy as _

from kohoshi.newsletters.models import Category
from kohoshi.accounts.policy import Action, municipalities_for

from .pipeline import MAX_BYTES, PDF_MAGIC


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class UploadForm(forms.Form):
    municipality = MunicipalityChoiceField(label=_("自治体"), queryset=None, empty_label=None)
    newsletter_title = forms.CharField(label=_("広報紙名"), max_length=100, help_text=_("例: 広報あつぎ"))
    published_on = forms.DateField(label=_("発行日"), widget=forms.DateInput(attrs={"type": "date"}))
    number = forms.CharField(label=_("号数(任意)"), max_length=40, required=False, help_text=_("例: 第1421号"))
    pdf = forms.FileField(
        label=_("紙面PDF"),
        help_text=_("50MBまで、300ページまでのPDFファイル"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Tenancy by construction: only the municipalities this user may edit are choices.
        self.fields["municipality"].queryset = municipalities_for(user, action=Action.EDIT).select_related("prefecture").order_by("code")

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size == 0:
            raise forms.ValidationError(_("ファイルが空です(0バイト)。"))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます。50MBまでのPDFを選んでください。"))
        upload.seek(0)
        head = upload.read(1024)
        upload.seek(0)
        # The file's name and type are the sender's claim; the first bytes are the content's.
        if PDF_MAGIC not in head:
            raise forms.ValidationError(_("PDFファイルではありません。紙面のPDFを選んでください。"))
        return upload


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("タイトル"), max_length=300)
    category = forms.ModelChoiceField(label=_("カテゴリ"), queryset=Category.objects.all(), empty_label=None)
    body = forms.CharField(
        label=_("本文"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("■見出し、◇小見出し、・箇条書き。段落の間は空行にします。"),
    )


class SplitForm(forms.Form):
    line = forms.IntegerField(label=_("ここから新しい記事にする行"), min_value=2)
    title = forms.CharField(
        label=_("新しい記事のタイトル(任意)"),
        max_length=300,
        required=False,
        help_text=_("空のときは、選んだ行をタイトルにします。"),
    )
