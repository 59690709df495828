"""The nine elements of the citizens' satisfaction survey (SKM, PermenPANRB 14/2017).

No aiogram and no gettext here: every element keeps its Indonesian wording (the regulation's)
and a natural English one; the bot translates the English labels through its catalogues.
Answers run from the worst (score 1) to the best (score 4).
"""

from __future__ import annotations

from dataclasses import dataclass

SCORES = (1, 2, 3, 4)
QUICK_FACES = ("😠", "🙁", "🙂", "😀")  # the one-question quick mode, worst to best


@dataclass(frozen=True)
class Element:
    """One survey element: its code (U1..U9), names, question and four answers, worst first."""

    code: str
    name_id: str
    name_en: str
    question_en: str
    answers_en: tuple[str, str, str, str]
    answers_id: tuple[str, str, str, str]


ELEMENTS: tuple[Element, ...] = (
    Element(
        code="U1",
        name_id="Persyaratan",
        name_en="Requirements",
        question_en="Do the requirements fit the service you asked for?",
        answers_en=("Not suitable", "Not very suitable", "Suitable", "Very suitable"),
        answers_id=("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        code="U2",
        name_id="Sistem, Mekanisme, dan Prosedur",
        name_en="System, mechanism and procedure",
        question_en="How easy is the service procedure?",
        answers_en=("Not easy", "Not very easy", "Easy", "Very easy"),
        answers_id=("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    Element(
        code="U3",
        name_id="Waktu Penyelesaian",
        name_en="Completion time",
        question_en="How quickly was the service completed?",
        answers_en=("Not fast", "Not very fast", "Fast", "Very fast"),
        answers_id=("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    Element(
        code="U4",
        name_id="Biaya/Tarif",
        name_en="Cost/fee",
        question_en="How fair is the cost or fee of the service?",
        answers_en=("Very expensive", "Quite expensive", "Cheap", "Free"),
        answers_id=("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    Element(
        code="U5",
        name_id="Produk Spesifikasi Jenis Pelayanan",
        name_en="Service products",
        question_en="Does the result match what the service standard promises?",
        answers_en=("Not suitable", "Not very suitable", "Suitable", "Very suitable"),
        answers_id=("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        code="U6",
        name_id="Kompetensi Pelaksana",
        name_en="Staff competence",
        question_en="How competent were the staff who served you?",
        answers_en=("Not competent", "Not very competent", "Competent", "Very competent"),
        answers_id=("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    Element(
        code="U7",
        name_id="Perilaku Pelaksana",
        name_en="Staff behaviour",
        question_en="How polite and friendly were the staff?",
        answers_en=(
            "Impolite and unfriendly",
            "Not very polite and friendly",
            "Polite and friendly",
            "Very polite and friendly",
        ),
        answers_id=(
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
    ),
    Element(
        code="U8",
        name_id="Penanganan Pengaduan, Saran dan Masukan",
        name_en="Handling of complaints and suggestions",
        question_en="How are complaints and suggestions handled here?",
        answers_en=(
            "There is no way to complain",
            "It exists but does not work",
            "It works, but not fully",
            "It is well managed",
        ),
        answers_id=(
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
    ),
    Element(
        code="U9",
        name_id="Sarana dan Prasarana",
        name_en="Facilities",
        question_en="How good are the facilities and infrastructure?",
        answers_en=("Poor", "Fair", "Good", "Very good"),
        answers_id=("Buruk", "Cukup", "Baik", "Sangat baik"),
    ),
)
CODES: tuple[str, ...] = tuple(item.code for item in ELEMENTS)
_BY_CODE = {item.code: item for item in ELEMENTS}


def element(code: str) -> Element:
    """The element with this code (`U1`..`U9`); KeyError for any other code."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(
            f"unknown SKM element {code!r}; expected one of {', '.join(CODES)}"
        ) from None
