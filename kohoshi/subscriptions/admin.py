from django import forms
from django.contrib import admin

from .models import LineChannel
from .services import line_channel_save


class LineChannelForm(forms.ModelForm):
    """The token and the secret are write-only: the form never shows them back; blank keeps them."""

    access_token = forms.CharField(
        label="チャネルアクセストークン", required=False, widget=forms.PasswordInput(render_value=False),
        help_text="変更するときだけ入力してください。保存した値は表示しません。",
    )
    channel_secret = forms.CharField(
        label="チャネルシークレット", required=False, widget=forms.PasswordInput(render_value=False),
        help_text="変更するときだけ入力してください。保存した値は表示しません。",
    )

    class Meta:
        model = LineChannel
        fields = ["municipality", "access_token", "channel_secret", "enabled"]

    def clean(self):
        data = super().clean()
        has = self.instance.pk and self.instance.access_token and self.instance.channel_secret
        if not has and not (data.get("access_token") and data.get("channel_secret")):
            raise forms.ValidationError("チャネルアクセストークンとチャネルシークレットを入力してください")
        return data


@admin.register(LineChannel)
class LineChannelAdmin(admin.ModelAdmin):
    form = LineChannelForm
    list_display = ["municipality", "enabled", "updated_at"]
    autocomplete_fields = []
    raw_id_fields = ["municipality"]

    def save_model(self, request, obj, form, change):
        saved = line_channel_save(
            municipality=form.cleaned_data["municipality"],
            access_token=form.cleaned_data.get("access_token", ""),
            channel_secret=form.cleaned_data.get("channel_secret", ""),
            enabled=form.cleaned_data["enabled"],
        )
        obj.pk = saved.pk
