"""Reading a quantity typed on a phone: "3", "2,5" (Indonesian decimal comma) or "1.5"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum

MAX_QUANTITY = Decimal(10_000)
MAX_PERCENT = Decimal(100)
_NUMBER = re.compile(r"^[0-9]+([.,][0-9]+)?$")
_THOUSANDS = re.compile(r"^[0-9]{1,3}\.[0-9]{3}$")


class QuantityProblem(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    NOT_POSITIVE = "not_positive"
    TOO_LARGE = "too_large"
    TOO_PRECISE = "too_precise"
    AMBIGUOUS = "ambiguous"


class InvalidQuantity(ValueError):
    def __init__(self, problem: QuantityProblem, limit: Decimal | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.limit = limit


def parse_quantity(text: str, measure: str | None = None) -> Decimal:
    """A positive amount with at most two decimals, at most 10 000 (100 for a percentage)."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.startswith("-") and _NUMBER.match(cleaned[1:]):
        raise InvalidQuantity(QuantityProblem.NOT_POSITIVE)
    if not _NUMBER.match(cleaned):
        raise InvalidQuantity(QuantityProblem.NOT_A_NUMBER)
    if _THOUSANDS.match(cleaned):  # "1.000": a thousand in Indonesian, one in English
        raise InvalidQuantity(QuantityProblem.AMBIGUOUS)
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        raise InvalidQuantity(QuantityProblem.NOT_A_NUMBER) from None
    if value <= 0:
        raise InvalidQuantity(QuantityProblem.NOT_POSITIVE)
    limit = MAX_PERCENT if (measure or "").strip() == "%" else MAX_QUANTITY
    if value > limit:
        raise InvalidQuantity(QuantityProblem.TOO_LARGE, limit)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidQuantity(QuantityProblem.TOO_PRECISE)
    return value.quantize(Decimal("0.01"))
