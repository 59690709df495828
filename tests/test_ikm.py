"""The IKM of PermenPANRB 14/2017 against figures worked out by hand, and the SKM elements."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.ikm import (
    GRADE_A,
    GRADE_B,
    GRADE_C,
    GRADE_D,
    Grade,
    compute,
    converted,
    grade,
    ikm,
    krejcie_morgan,
    nrr,
    round2,
)
from bot.skm import CODES, ELEMENTS, QUICK_FACES, Element, element

# Ten questionnaires. Everyone answered U1..U7 and U9; two skipped U8.
RESPONDENTS = 10
TOTALS = {
    "U1": 32,  # 32 / 10 = 3.2
    "U2": 30,  # 3.0
    "U3": 28,  # 2.8
    "U4": 40,  # 4.0: everyone said "Gratis"
    "U5": 31,  # 3.1
    "U6": 33,  # 3.3
    "U7": 35,  # 3.5
    "U8": 22,  # 22 / 8 = 2.75
    "U9": 29,  # 2.9
}
ANSWERED = dict.fromkeys(CODES, RESPONDENTS) | {"U8": 8}
# Sum of NRR = 3.2 + 3.0 + 2.8 + 4.0 + 3.1 + 3.3 + 3.5 + 2.75 + 2.9 = 28.55
# IKM = 28.55 / 9 = 3.17222...            -> shown 3.17
# converted = 28.55 x 25 / 9 = 713.75 / 9 = 79.30555...  -> shown 79.31 -> B (76.61-88.30)


def test_hand_worked_survey() -> None:
    result = compute(TOTALS, ANSWERED, RESPONDENTS)

    assert result.respondents == 10
    assert result.nrr == {
        "U1": Decimal("3.2"),
        "U2": Decimal(3),
        "U3": Decimal("2.8"),
        "U4": Decimal(4),
        "U5": Decimal("3.1"),
        "U6": Decimal("3.3"),
        "U7": Decimal("3.5"),
        "U8": Decimal("2.75"),
        "U9": Decimal("2.9"),
    }
    # weighted = NRR / 9, 28 significant digits
    assert result.weighted["U1"] == Decimal("0.3555555555555555555555555556")  # 3.2 / 9
    assert result.weighted["U4"] == Decimal("0.4444444444444444444444444444")  # 4 / 9
    assert result.weighted["U8"] == Decimal("0.3055555555555555555555555556")  # 2.75 / 9
    assert result.ikm == Decimal("3.172222222222222222222222222")
    assert result.converted == Decimal("79.30555555555555555555555556")
    assert round2(result.ikm) == Decimal("3.17")
    assert round2(result.converted) == Decimal("79.31")
    assert result.grade is GRADE_B
    assert (result.grade.letter, result.grade.quality_id, result.grade.quality_en) == (
        "B",
        "Baik",
        "Good",
    )


def test_functions_agree_with_compute() -> None:
    result = compute(TOTALS, ANSWERED, RESPONDENTS)
    nrrs = {code: nrr(TOTALS[code], ANSWERED[code]) for code in CODES}

    assert nrrs == result.nrr
    assert ikm(nrrs) == result.ikm
    assert grade(result.converted) is result.grade
    # compute() scales the exact IKM; converting the 28-digit IKM differs in the last digit only
    assert abs(converted(result.ikm) - result.converted) < Decimal("1e-25")
    assert round2(converted(result.ikm)) == round2(result.converted)


def test_full_precision_is_kept_until_display() -> None:
    # 12 respondents; U1..U7 total 37 each (NRR 37/12 = 3.08333...), U8 and U9 total 36 (3).
    # Exact: sum of NRR = 7 x 37/12 + 6 = 331/12; IKM = 331/108 = 3.0648148...;
    #        converted = 331 x 25 / 108 = 8275/108 = 76.6203703... -> 76.62 -> B.
    # Rounding the NRRs first (3.08) would give (7 x 3.08 + 6) / 9 x 25 = 76.5555... -> C.
    totals = dict.fromkeys(CODES, 37) | {"U8": 36, "U9": 36}
    result = compute(totals, dict.fromkeys(CODES, 12), 12)

    assert result.nrr["U1"] == Decimal("3.083333333333333333333333333")
    assert result.ikm == Decimal("3.064814814814814814814814815")
    assert result.converted == Decimal("76.62037037037037037037037037")
    assert round2(result.converted) == Decimal("76.62")
    assert result.grade is GRADE_B
    rounded_first = {code: round2(value) for code, value in result.nrr.items()}
    assert round2(converted(ikm(rounded_first))) == Decimal("76.56")
    assert grade(converted(ikm(rounded_first))) is GRADE_C


def test_extremes_are_a_and_d() -> None:
    best = compute(dict.fromkeys(CODES, 40), dict.fromkeys(CODES, 10), 10)
    worst = compute(dict.fromkeys(CODES, 10), dict.fromkeys(CODES, 10), 10)

    assert (best.ikm, best.converted, best.grade) == (Decimal(4), Decimal(100), GRADE_A)
    assert (worst.ikm, worst.converted, worst.grade) == (Decimal(1), Decimal(25), GRADE_D)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("25", GRADE_D),
        ("25.00", GRADE_D),
        ("64.99", GRADE_D),
        ("65.00", GRADE_C),
        ("76.60", GRADE_C),
        ("76.61", GRADE_B),
        ("88.30", GRADE_B),
        ("88.31", GRADE_A),
        ("100", GRADE_A),
    ],
)
def test_grade_boundaries(value: str, expected: Grade) -> None:
    assert grade(Decimal(value)) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # between two intervals the value rounded half-up to 2 decimals decides
        ("64.9949", GRADE_D),
        ("64.995", GRADE_C),
        ("76.6049999", GRADE_C),
        ("76.605", GRADE_B),
        ("88.3049", GRADE_B),
        ("88.305", GRADE_A),
        ("24.995", GRADE_D),  # shown as 25.00
        ("100.004", GRADE_A),  # shown as 100.00
    ],
)
def test_grade_between_intervals_uses_the_rounded_value(value: str, expected: Grade) -> None:
    assert grade(Decimal(value)) is expected


@pytest.mark.parametrize("value", ["24.99", "24.9949", "100.005", "0", "400"])
def test_grade_outside_the_scale(value: str) -> None:
    with pytest.raises(ValueError, match="outside"):
        grade(Decimal(value))


def test_round2_is_half_up() -> None:
    assert round2(Decimal("79.305")) == Decimal("79.31")
    assert round2(Decimal("79.325")) == Decimal("79.33")  # half-even would give 79.32
    assert round2(Decimal("79.3049")) == Decimal("79.30")
    assert round2(4) == Decimal("4.00")


def test_all_nine_elements_are_required() -> None:
    nrrs = {code: Decimal(3) for code in CODES}
    assert ikm(nrrs) == Decimal(3)

    with pytest.raises(ValueError, match="U9"):
        ikm({code: value for code, value in nrrs.items() if code != "U9"})
    with pytest.raises(ValueError, match="U10"):
        ikm(nrrs | {"U10": Decimal(3)})
    with pytest.raises(ValueError, match="U3"):
        compute({code: 30 for code in CODES if code != "U3"}, ANSWERED, RESPONDENTS)
    with pytest.raises(ValueError, match="U5"):
        compute(TOTALS, {code: 10 for code in CODES if code != "U5"}, RESPONDENTS)


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one respondent"):
        nrr(0, 0)
    with pytest.raises(ValueError, match="impossible"):
        nrr(41, 10)  # more than 4 per answer
    with pytest.raises(ValueError, match="impossible"):
        nrr(9, 10)  # less than 1 per answer
    with pytest.raises(ValueError, match="answered 11 times"):
        compute(TOTALS, ANSWERED | {"U2": 11}, RESPONDENTS)
    with pytest.raises(ValueError, match="at least one respondent"):
        compute(TOTALS | {"U4": 0}, ANSWERED | {"U4": 0}, RESPONDENTS)
    assert nrr(Decimal(35), 10) == Decimal("3.5")


@pytest.mark.parametrize(
    ("population", "sample"),
    [(1, 1), (10, 10), (100, 80), (1000, 278), (10_000, 370), (1_000_000, 384)],
)
def test_krejcie_morgan_table(population: int, sample: int) -> None:
    # N = 100: 3.841 x 100 x 0.25 / (0.0025 x 99 + 3.841 x 0.25) = 96.025 / 1.20775 = 79.5 -> 80
    assert krejcie_morgan(population) == sample


def test_krejcie_morgan_parameters() -> None:
    # 10% margin: 3.841 x 1000 x 0.25 / (0.01 x 999 + 0.96025) = 960.25 / 10.95025 = 87.7 -> 88
    assert krejcie_morgan(1000, margin=Decimal("0.1")) == 88
    with pytest.raises(ValueError):
        krejcie_morgan(0)
    with pytest.raises(ValueError):
        krejcie_morgan(100, proportion=Decimal(1))


def test_elements_in_order() -> None:
    assert tuple(item.code for item in ELEMENTS) == CODES == tuple(f"U{n}" for n in range(1, 10))
    assert element("U1").name_id == "Persyaratan"
    assert element("U4").answers_id == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")
    assert element("U8").answers_id[-1] == "Dikelola dengan baik"
    assert element("U9").name_en == "Facilities"
    assert QUICK_FACES == ("😠", "🙁", "🙂", "😀")


@pytest.mark.parametrize("code", ["U0", "U10", "u1", ""])
def test_unknown_element(code: str) -> None:
    with pytest.raises(KeyError):
        element(code)


@pytest.mark.parametrize("item", ELEMENTS, ids=lambda item: item.code)
def test_every_element_has_four_distinct_answers_in_both_languages(item: Element) -> None:
    for answers in (item.answers_en, item.answers_id):
        assert len(answers) == 4
        assert len(set(answers)) == 4
        assert all(answer and answer == answer.strip() for answer in answers)
    for text in (item.name_id, item.name_en, item.question_en):
        assert text
