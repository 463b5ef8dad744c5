"""Local government codes (全国地方公共団体コード): five digits plus a check digit."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> int:
    total = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def validate_local_government_code(code: str) -> None:
    """Refuse anything but six digits whose last digit is the JIS X 0402 check digit."""
    if not (isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit()):
        raise ValidationError(
            _("自治体コード「%(code)s」は6桁の数字ではありません。"), code="code_format", params={"code": code}
        )
    if check_digit(code[:5]) != int(code[5]):
        raise ValidationError(
            _("自治体コード「%(code)s」のチェックディジットが正しくありません(正しくは %(digit)s)。"),
            code="code_check_digit",
            params={"code": code, "digit": check_digit(code[:5])},
        )
