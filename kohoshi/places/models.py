from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .codes import validate_local_government_code


class Prefecture(models.Model):
    code = models.CharField(_("都道府県コード"), max_length=2, primary_key=True)
    name = models.CharField(_("名称"), max_length=10, unique=True)
    kana = models.CharField(_("よみ"), max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("都道府県")
        verbose_name_plural = _("都道府県")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsletters:prefecture", args=[self.code])


class MunicipalityQuerySet(models.QuerySet):
    def municipalities(self):
        """Cities, towns, villages and Tokyo's special wards: the 1,741, without the prefectures."""
        return self.exclude(kind=Municipality.Kind.PREFECTURE)

    def in_prefecture(self, prefecture):
        return self.filter(prefecture=prefecture)

    def with_newsletters(self):
        return self.filter(newsletters__isnull=False).distinct()


def municipality_full_name(prefecture: str, name: str, kind: str) -> str:
    """Municipality.full_name from its columns (prefecture's name, name, kind), for rows read
    without model instances."""
    return name if kind == Municipality.Kind.PREFECTURE else f"{prefecture}{name}"


class Municipality(models.Model):
    """A local government (自治体) that may publish newsletters.

    The prefecture itself is a row too (kind=prefecture): prefectures publish newsletters as well,
    and one foreign key from Newsletter serves both.
    """

    class Kind(models.TextChoices):
        PREFECTURE = "prefecture", _("都道府県")
        CITY = "city", _("市")
        WARD = "ward", _("特別区")
        TOWN = "town", _("町")
        VILLAGE = "village", _("村")

    code = models.CharField(
        _("自治体コード"), max_length=6, primary_key=True, validators=[validate_local_government_code]
    )
    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="municipalities")
    name = models.CharField(_("名称"), max_length=40)
    kana = models.CharField(_("よみ"), max_length=80)
    kind = models.CharField(_("種別"), max_length=12, choices=Kind.choices)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="municipality_code_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """北海道苫小牧市, as the seed page shows it; a prefecture is just its name."""
        if self.kind == self.Kind.PREFECTURE:
            return self.name  # without reading the prefecture row
        return municipality_full_name(self.prefecture.name, self.name, self.kind)

    def get_absolute_url(self) -> str:
        return reverse("newsletters:municipality", args=[self.code])
