"""The community satisfaction index (IKM) of PermenPANRB 14/2017, in exact arithmetic.

No aiogram here. Per element U1..U9 the mean answer (NRR, 1..4) is the total of the answers
over the respondents who answered it; the IKM is the sum of NRR x 1/9 (1..4) and the converted
IKM is IKM x 25 (25..100), graded A..D. Intermediate values are exact fractions, handed out as
Decimals correctly rounded to 28 significant digits; only `round2` (display) and `grade` round
to two decimals.

The weight is exactly 1/9, not the 0.111 printed in the regulation's worked example, which
would cap a perfect score at 3.996 (99.90) instead of 4 (100).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

from bot.skm import CODES, SCORES

PRECISION = 28
CENT = Decimal("0.01")
WEIGHT = Fraction(1, len(CODES))  # 1/9, the same for every element
CONVERSION = 25
LOWEST_SCORE = min(SCORES)
HIGHEST_SCORE = max(SCORES)
_CONTEXT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)


def _decimal(value: Fraction) -> Decimal:
    """The fraction as a Decimal, correctly rounded to `PRECISION` significant digits."""
    return _CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))


def _check_codes(codes: Mapping[str, object], what: str) -> None:
    missing = [code for code in CODES if code not in codes]
    unknown = sorted(code for code in codes if code not in CODES)
    if missing or unknown:
        raise ValueError(
            f"{what} must give exactly the nine elements U1..U9; "
            f"missing {missing or 'none'}, unknown {unknown or 'none'}"
        )


def _mean(total: int | Decimal, respondents: int) -> Fraction:
    """The exact mean answer; ValueError unless it can come from answers scored 1..4."""
    if respondents <= 0:
        raise ValueError(f"an element needs at least one respondent, got {respondents}")
    if not LOWEST_SCORE * respondents <= total <= HIGHEST_SCORE * respondents:
        raise ValueError(f"total {total} is impossible for {respondents} answers scored 1..4")
    return Fraction(total) / respondents


def round2(value: Decimal | int) -> Decimal:
    """The value half-up to two decimals, for display and grading (76.605 -> 76.61)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP, context=_CONTEXT)


def nrr(total: int | Decimal, respondents: int) -> Decimal:
    """The mean answer (NRR) of one element: total of its answers / respondents who answered."""
    return _decimal(_mean(total, respondents))


def ikm(nrrs: Mapping[str, Decimal]) -> Decimal:
    """The IKM: the sum of NRR x 1/9 over U1..U9; ValueError unless exactly those nine are given."""
    _check_codes(nrrs, "the NRRs")
    return _decimal(sum((Fraction(nrrs[code]) for code in CODES), Fraction(0)) * WEIGHT)


def converted(ikm: Decimal) -> Decimal:
    """The converted IKM (IKM x 25), on the 25..100 scale the grades are defined on."""
    return _CONTEXT.multiply(ikm, Decimal(CONVERSION))


@dataclass(frozen=True)
class Grade:
    """A quality grade and its interval of converted IKM (two decimals, both ends included)."""

    letter: str
    quality_id: str
    quality_en: str
    lowest: Decimal
    highest: Decimal


GRADE_D = Grade("D", "Tidak Baik", "Poor", Decimal("25.00"), Decimal("64.99"))
GRADE_C = Grade("C", "Kurang Baik", "Fair", Decimal("65.00"), Decimal("76.60"))
GRADE_B = Grade("B", "Baik", "Good", Decimal("76.61"), Decimal("88.30"))
GRADE_A = Grade("A", "Sangat Baik", "Very good", Decimal("88.31"), Decimal("100.00"))
GRADES = (GRADE_D, GRADE_C, GRADE_B, GRADE_A)  # worst first


def grade(converted: Decimal) -> Grade:
    """The grade of a converted IKM, by the regulation's intervals on the two-decimal value.

    The intervals (25.00-64.99 D, 65.00-76.60 C, 76.61-88.30 B, 88.31-100.00 A) leave gaps
    such as 76.60..76.61, so the value is first rounded half-up to two decimals, the figure
    that is published: 76.604 -> 76.60 -> C, 76.605 -> 76.61 -> B. ValueError when the
    rounded value lies outside 25.00..100.00.
    """
    shown = round2(converted)
    if not GRADE_D.lowest <= shown <= GRADE_A.highest:
        raise ValueError(f"converted IKM {shown} is outside 25.00..100.00")
    return next(item for item in reversed(GRADES) if shown >= item.lowest)


@dataclass(frozen=True)
class IkmResult:
    """A survey's index: per-element NRR and weighted NRR, IKM, converted IKM and grade."""

    respondents: int
    nrr: dict[str, Decimal]  # U1..U9, full precision
    weighted: dict[str, Decimal]  # NRR x 1/9
    ikm: Decimal  # 1..4, full precision
    converted: Decimal  # 25..100, full precision; show with round2
    grade: Grade


def compute(totals: Mapping[str, int], answered: Mapping[str, int], respondents: int) -> IkmResult:
    """The index of a survey from each element's total score and number of answers.

    `respondents` counts the questionnaires; `answered[code]` those that answered the element
    (1..respondents). Every element U1..U9 must have at least one answer, else ValueError.
    The IKM and converted IKM are computed from the exact NRRs, not from rounded ones.
    """
    _check_codes(totals, "the totals")
    _check_codes(answered, "the answer counts")
    if respondents <= 0:
        raise ValueError(f"a survey needs at least one respondent, got {respondents}")
    for code in CODES:
        if answered[code] > respondents:
            raise ValueError(
                f"{code} answered {answered[code]} times by only {respondents} respondents"
            )
    means = {code: _mean(totals[code], answered[code]) for code in CODES}
    index = sum(means.values(), Fraction(0)) * WEIGHT
    scaled = _decimal(index * CONVERSION)
    return IkmResult(
        respondents=respondents,
        nrr={code: _decimal(mean) for code, mean in means.items()},
        weighted={code: _decimal(mean * WEIGHT) for code, mean in means.items()},
        ikm=_decimal(index),
        converted=scaled,
        grade=grade(scaled),
    )


def krejcie_morgan(
    population: int,
    *,
    chi_square: Decimal = Decimal("3.841"),
    proportion: Decimal = Decimal("0.5"),
    margin: Decimal = Decimal("0.05"),
) -> int:
    """The minimum sample of a population (Krejcie & Morgan 1970), rounded up to a respondent.

    s = X²·N·P(1−P) / (d²(N−1) + X²·P(1−P)); the defaults (X² = 3.841 for 95% confidence,
    P = 0.5, d = 5%) give the published table: N = 100 -> 80, 1000 -> 278, 10000 -> 370.
    """
    if population < 1:
        raise ValueError(f"population must be at least 1, got {population}")
    if chi_square <= 0 or not 0 < proportion < 1 or not 0 < margin < 1:
        raise ValueError("need chi_square > 0, 0 < proportion < 1 and 0 < margin < 1")
    x2 = Fraction(chi_square)
    spread = Fraction(proportion) * (1 - Fraction(proportion))
    d2 = Fraction(margin) ** 2
    return math.ceil(x2 * population * spread / (d2 * (population - 1) + x2 * spread))
