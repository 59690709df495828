"""The nine elements of the citizens' satisfaction survey (SKM, PermenPANRB 14/2017).

No aiogram and no gettext here: every element keeps its Indonesian wording (the regulation's)
and a natural English one; the English texts are marked with `N_` so that `pybabel extract -k N_`
puts them in the catalogues, and the bot translates them when it shows them.
Answers run from the worst (score 1) to the best (score 4).
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(text: str) -> str:
    """Mark `text` for extraction into the catalogues; it is translated where it is shown."""
    return text


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
        name_en=N_("Requirements"),
        question_en=N_("Do the requirements fit the service you asked for?"),
        answers_en=(
            N_("Not suitable"),
            N_("Not very suitable"),
            N_("Suitable"),
            N_("Very suitable"),
        ),
        answers_id=("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        code="U2",
        name_id="Sistem, Mekanisme, dan Prosedur",
        name_en=N_("System, mechanism and procedure"),
        question_en=N_("How easy is the service procedure?"),
        answers_en=(N_("Not easy"), N_("Not very easy"), N_("Easy"), N_("Very easy")),
        answers_id=("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    Element(
        code="U3",
        name_id="Waktu Penyelesaian",
        name_en=N_("Completion time"),
        question_en=N_("How quickly was the service completed?"),
        answers_en=(N_("Not fast"), N_("Not very fast"), N_("Fast"), N_("Very fast")),
        answers_id=("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    Element(
        code="U4",
        name_id="Biaya/Tarif",
        name_en=N_("Cost/fee"),
        question_en=N_("How fair is the cost or fee of the service?"),
        answers_en=(N_("Very expensive"), N_("Quite expensive"), N_("Cheap"), N_("Free")),
        answers_id=("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    Element(
        code="U5",
        name_id="Produk Spesifikasi Jenis Pelayanan",
        name_en=N_("Service products"),
        question_en=N_("Does the result match what the service standard promises?"),
        answers_en=(
            N_("Not suitable"),
            N_("Not very suitable"),
            N_("Suitable"),
            N_("Very suitable"),
        ),
        answers_id=("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        code="U6",
        name_id="Kompetensi Pelaksana",
        name_en=N_("Staff competence"),
        question_en=N_("How competent were the staff who served you?"),
        answers_en=(
            N_("Not competent"),
            N_("Not very competent"),
            N_("Competent"),
            N_("Very competent"),
        ),
        answers_id=("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    Element(
        code="U7",
        name_id="Perilaku Pelaksana",
        name_en=N_("Staff behaviour"),
        question_en=N_("How polite and friendly were the staff?"),
        answers_en=(
            N_("Impolite and unfriendly"),
            N_("Not very polite and friendly"),
            N_("Polite and friendly"),
            N_("Very polite and friendly"),
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
        name_en=N_("Handling of complaints and suggestions"),
        question_en=N_("How are complaints and suggestions handled here?"),
        answers_en=(
            N_("There is no way to complain"),
            N_("It exists but does not work"),
            N_("It works, but not fully"),
            N_("It is well managed"),
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
        name_en=N_("Facilities"),
        question_en=N_("How good are the facilities and infrastructure?"),
        answers_en=(N_("Poor"), N_("Fair"), N_("Good"), N_("Very good")),
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
