import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kohoshi.newsletters.models import Category
from kohoshi.places.models import Municipality

from .models import Channel
from .services import MAX_MUNICIPALITIES

_SPLIT = re.compile(r"[、,，\s]+")


def municipalities_parse(text: str) -> list[Municipality]:
    """「厚木市、北海道苫小牧市」or 6-digit codes → municipalities; a clear error for a name that
    is unknown or shared by several (府中市: add the prefecture)."""
    found, problems = [], []
    candidates = Municipality.objects.municipalities().select_related("prefecture")
    for word in [w for w in _SPLIT.split(text or "") if w]:
        if re.fullmatch(r"\d{6}", word):
            matches = list(candidates.filter(code=word))
        else:
            matches = [m for m in candidates.filter(name=word)]
            if not matches:
                matches = [m for m in candidates.filter(name__in=_suffixes(word)) if m.full_name == word]
        if len(matches) == 1:
            if matches[0] not in found:
                found.append(matches[0])
        elif not matches:
            problems.append(_("「%(word)s」という自治体は見つかりません") % {"word": word})
        else:
            problems.append(
                _("「%(word)s」は複数あります。都道府県名から入力してください(例: %(example)s)")
                % {"word": word, "example": matches[0].full_name}
            )
    if problems:
        raise ValidationError(problems)
    if len(found) > MAX_MUNICIPALITIES:
        raise ValidationError(_("自治体は%(n)dまでです") % {"n": MAX_MUNICIPALITIES})
    return found


def _suffixes(word: str) -> list[str]:
    return [word[i:] for i in range(1, len(word))]


class ConditionsForm(forms.Form):
    municipalities = forms.CharField(
        label=_("自治体"),
        max_length=400,
        help_text=_("市区町村名を入力してください。複数のときは「、」で区切ります(例: 厚木市、北海道苫小牧市)。"),
        error_messages={"required": _("自治体を1つ以上入力してください")},
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("カテゴリ"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("選ばなければ、すべての記事が対象です。"),
        to_field_name="slug",
    )
    keywords = forms.CharField(
        label=_("キーワード"),
        max_length=100,
        required=False,
        help_text=_("入力すると、その言葉を含む記事があるときだけお知らせします(例: 健診)。"),
    )

    def clean_municipalities(self):
        return municipalities_parse(self.cleaned_data["municipalities"])


class SubscribeForm(ConditionsForm):
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        error_messages={"required": _("メールアドレスを入力してください"), "invalid": _("メールアドレスの形式が正しくありません")},
    )
    field_order = ["email", "municipalities", "categories", "keywords"]


class ManageForm(ConditionsForm):
    preferred_channel = forms.ChoiceField(
        label=_("受け取り方"),
        choices=[(Channel.EMAIL, _("メール")), (Channel.PUSH, _("この購読に登録した端末へのプッシュ通知"))],
        widget=forms.RadioSelect,
        help_text=_("両方を登録していても、お知らせは1号につき1回、選んだ方法で届きます。"),
    )


def municipalities_text(municipalities) -> str:
    return "、".join(m.full_name for m in municipalities)
