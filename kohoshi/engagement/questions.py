"""The survey's questions: defaults, overlaid by a municipality's own wording."""
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from .models import SurveyQuestion

Key = SurveyQuestion.Key

# Rating questions need a short scale a reader answers at a glance.
RATING_KEYS = (Key.HELPFUL, Key.CLARITY)
RATING_CHOICES_MIN, RATING_CHOICES_MAX = 3, 5


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    choices: tuple[str, ...]
    enabled: bool = True

    @property
    def required(self) -> bool:
        return self.key in RATING_KEYS

    @property
    def slot_label(self) -> str:
        """What the slot asks about (役に立ちましたか, 年代, …), whatever the wording."""
        return Key(self.key).label

    @property
    def is_text(self) -> bool:
        return self.key == Key.COMMENT


# The default wording is stored and counted in Japanese (answers are the Japanese choice); a
# reader sees it in the interface language (SurveyForm translates it). A municipality's own
# wording is its own text and is shown as written.
DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question(
        Key.HELPFUL,
        gettext_noop("この記事は役に立ちましたか"),
        (gettext_noop("役に立った"), gettext_noop("どちらともいえない"), gettext_noop("役に立たなかった")),
    ),
    Question(
        Key.CLARITY,
        gettext_noop("この記事はわかりやすかったですか"),
        (gettext_noop("わかりやすかった"), gettext_noop("ふつう"), gettext_noop("わかりにくかった")),
    ),
    Question(Key.COMMENT, gettext_noop("ご意見・ご感想(任意)"), ()),
    Question(
        Key.AGE_BAND,
        gettext_noop("年代(任意)"),
        (
            gettext_noop("10代以下"), gettext_noop("20代"), gettext_noop("30代"), gettext_noop("40代"),
            gettext_noop("50代"), gettext_noop("60代"), gettext_noop("70代以上"),
        ),
    ),
    Question(
        Key.AREA,
        gettext_noop("お住まいの地域(任意)"),
        (gettext_noop("市町村内"), gettext_noop("市町村外(都道府県内)"), gettext_noop("都道府県外")),
    ),
)
DEFAULTS_BY_KEY = {q.key: q for q in DEFAULT_QUESTIONS}


def survey_questions_for(municipality) -> list[Question]:
    """The questions the municipality's readers see, in the fixed order of the slots."""
    own = {q.key: q for q in SurveyQuestion.objects.filter(municipality=municipality)}
    questions = []
    for default in DEFAULT_QUESTIONS:
        row = own.get(default.key)
        if row is None:
            questions.append(default)
        else:
            choices = () if default.is_text else tuple(row.choice_list) or default.choices
            questions.append(Question(default.key, row.text or default.text, choices, row.enabled))
    return questions
