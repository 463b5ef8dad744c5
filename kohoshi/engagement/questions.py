"""The survey's questions: defaults, overlaid by a municipality's own wording."""
from dataclasses import dataclass

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


DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question(
        Key.HELPFUL,
        "この記事は役に立ちましたか",
        ("役に立った", "どちらともいえない", "役に立たなかった"),
    ),
    Question(
        Key.CLARITY,
        "この記事はわかりやすかったですか",
        ("わかりやすかった", "ふつう", "わかりにくかった"),
    ),
    Question(Key.COMMENT, "ご意見・ご感想(任意)", ()),
    Question(
        Key.AGE_BAND,
        "年代(任意)",
        ("10代以下", "20代", "30代", "40代", "50代", "60代", "70代以上"),
    ),
    Question(Key.AREA, "お住まいの地域(任意)", ("市町村内", "市町村外(都道府県内)", "都道府県外")),
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
