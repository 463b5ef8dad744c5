"""The eight regions used to group the prefecture picker (地方区分), by prefecture code."""
from django.utils.translation import gettext_lazy as _

# Headings of the interface (translated); the prefectures under them are names (lang="ja").
REGIONS = [
    (_("北海道・東北"), ["01", "02", "03", "04", "05", "06", "07"]),
    (_("関東"), ["08", "09", "10", "11", "12", "13", "14"]),
    (_("中部"), ["15", "16", "17", "18", "19", "20", "21", "22", "23"]),
    (_("近畿"), ["24", "25", "26", "27", "28", "29", "30"]),
    (_("中国"), ["31", "32", "33", "34", "35"]),
    (_("四国"), ["36", "37", "38", "39"]),
    (_("九州・沖縄"), ["40", "41", "42", "43", "44", "45", "46", "47"]),
]
