"""What the citizens' survey says, in the current language: questions, answers, alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.markdown import html_decoration as html
from babel.numbers import format_decimal

from bot.commands import DELETE_DATA
from bot.formatting import MESSAGE_BUDGET, format_day, format_short_day, quarter_label
from bot.ikm import krejcie_morgan, round2
from bot.skm import CODES, QUICK_FACES, element
from storage.models import ServiceCounter, Unit
from storage.survey import COMMENT_MAX, QUICK, AlertKind, ProfileField, Visit
from storage.survey_stats import CounterScore, ScoreTotals, combine


def element_name(code: str) -> str:
    """The element's name (`Persyaratan` / `Requirements`)."""
    return _(element(code).name_en)


def answer_labels(question: str) -> tuple[str, str, str, str]:
    """The four answers of a question, worst (score 1) first."""
    if question == QUICK:
        words = (_("Very dissatisfied"), _("Dissatisfied"), _("Satisfied"), _("Very satisfied"))
        first, second, third, fourth = (
            f"{face} {word}" for face, word in zip(QUICK_FACES, words, strict=True)
        )
    else:
        first, second, third, fourth = (_(text) for text in element(question).answers_en)
    return first, second, third, fourth


def answer_label(question: str, score: int) -> str:
    """The answer a citizen gave, as its button said."""
    return answer_labels(question)[score - 1]


def visit_header(counter: ServiceCounter, unit: Unit) -> str:
    """Which counter the survey is about."""
    return "📋 " + _(
        "<b>Service satisfaction survey</b>\n{unit} · {counter}\nService: {service}"
    ).format(
        unit=html.quote(unit.name),
        counter=html.quote(counter.name),
        service=html.quote(counter.service),
    )


def welcome_text(visit: Visit) -> str:
    """The greeting above the first question."""
    if visit.counter.quick:
        intro = _("One quick question. Your answer is anonymous.")
    else:
        intro = _(
            "Nine short questions about the service you just received; tap one answer each. "
            "Your answers are anonymous."
        )
    return visit_header(visit.counter, visit.unit) + "\n\n" + intro


def question_text(visit: Visit, question: str, position: int, total: int) -> str:
    """The question being asked, under the greeting."""
    if question == QUICK:
        asked = _("How satisfied are you with the service today?")
    else:
        heading = f"<b>{position}/{total} · {element_name(question)}</b>"
        asked = heading + "\n" + _(element(question).question_en)
    return welcome_text(visit) + "\n\n" + asked


def comment_prompt(visit: Visit) -> str:
    """Asks for an optional suggestion or complaint once the questions are answered."""
    return (
        visit_header(visit.counter, visit.unit)
        + "\n\n✅ "
        + _("Thank you, your answers are saved.")
        + "\n\n"
        + _(
            "Do you have a suggestion or a complaint about this service? Write it in one "
            "message (at most {limit} characters), or tap Skip."
        ).format(limit=COMMENT_MAX)
    )


def profile_question(field: ProfileField) -> str:
    """The profile question, translated."""
    questions = {
        ProfileField.SEX: _("Sex"),
        ProfileField.AGE: _("Age"),
        ProfileField.EDUCATION: _("Highest education"),
        ProfileField.OCCUPATION: _("Main occupation"),
    }
    return questions[field]


def profile_option(field: ProfileField, value: str) -> str:
    """The label of one profile answer."""
    labels = {
        ProfileField.SEX: {"m": _("Male"), "f": _("Female")},
        ProfileField.AGE: {
            "lt20": _("under 20"),
            "20s": "20–29",
            "30s": "30–39",
            "40s": "40–49",
            "50s": "50–59",
            "60p": _("60 or older"),
        },
        ProfileField.EDUCATION: {
            "sd": _("Primary school or less"),
            "smp": _("Junior high school"),
            "sma": _("Senior high school"),
            "d3": _("Diploma (D1–D3)"),
            "s1": _("Bachelor (D4/S1)"),
            "s2": _("Master or doctorate"),
        },
        ProfileField.OCCUPATION: {
            "asn": _("Civil servant"),
            "tni": _("Military or police"),
            "private": _("Private employee"),
            "business": _("Self-employed"),
            "student": _("Student"),
            "other": _("Other"),
        },
    }
    return labels[field][value]


def profile_prompt(visit: Visit, field: ProfileField) -> str:
    """Asks one optional question of the respondent profile."""
    return (
        visit_header(visit.counter, visit.unit)
        + "\n\n"
        + _("Optional: a few questions about you, for the statistics. Skip any of them.")
        + "\n\n<b>"
        + profile_question(field)
        + "</b>"
    )


def thanks_text(visit: Visit, locale: str) -> str:
    """The end of the survey, with how to unlink one's ratings."""
    return (
        visit_header(visit.counter, visit.unit)
        + "\n\n🙏 "
        + _(
            "Thank you! Your rating has been saved and helps this office improve its service. "
            "To unlink your ratings from your Telegram account, send /{command}."
        ).format(command=DELETE_DATA.name(locale))
    )


def alert_text(kind: AlertKind, payload: dict[str, Any], locale: str) -> str:
    """What a unit's head is told about one response: where, which answers, what was said."""
    where = _("{counter} ({service}), {unit}, {day}").format(
        counter=html.quote(str(payload["counter"])),
        service=html.quote(str(payload["service"])),
        unit=html.quote(str(payload["unit"])),
        day=format_day(date.fromisoformat(str(payload["day"])), locale),
    )
    if kind == AlertKind.COMPLAINT:
        lines = [
            "📣 " + _("<b>A citizen left a suggestion or complaint</b>"),
            where,
            "",
            "«" + html.quote(str(payload["comment"])) + "»",
        ]
    else:
        lines = ["⚠️ " + _("<b>A citizen gave the lowest rating</b>"), where, ""]
        lines += [f"• {question_name(code)}: {answer_label(code, 1)}" for code in payload["low"]]
    return "\n".join(lines)


def question_name(question: str) -> str:
    """An element's name, or the quick mode's overall question."""
    return _("Overall satisfaction") if question == QUICK else element_name(question)


def _two_decimals(value: Decimal, locale: str) -> str:
    """`82,50` in Indonesian, `82.50` in English, rounded half-up as the regulation shows it."""
    return format_decimal(round2(value), format="0.00", locale=locale)


def _index_line(score: ScoreTotals, population: int, locale: str) -> str:
    """`IKM 82,50 · B (Baik) · 34 respondents, 278 needed` or why there is no index yet."""
    result = score.ikm()
    counted = ngettext("{count} respondent", "{count} respondents", score.respondents).format(
        count=score.respondents
    )
    needed = _("{needed} needed").format(needed=krejcie_morgan(population))
    if result is None:
        return _("no index yet") + f" · {counted}, {needed}"
    quality = result.grade.quality_id if locale == "id" else result.grade.quality_en
    return (
        f"IKM <b>{_two_decimals(result.converted, locale)}</b> · {result.grade.letter} "
        f"({quality}) · {counted}, {needed}"
    )


def _counter_line(counter: CounterScore, population: int, locale: str) -> str:
    """One counter: its index and lowest element, or its quick ratings."""
    name = f"{html.quote(counter.name)} ({html.quote(counter.service)})"
    parts = []
    if counter.respondents or not counter.quick:
        parts.append(_index_line(counter, population, locale))
        result = counter.ikm()
        if result is not None:
            lowest = min(CODES, key=lambda code: (result.nrr[code], code))
            parts.append(
                _("lowest: {element} {nrr}").format(
                    element=element_name(lowest), nrr=_two_decimals(result.nrr[lowest], locale)
                )
            )
    mean = counter.quick_mean()
    if mean is not None:
        parts.append(
            ngettext(
                "quick mode: {mean}/4 from {count} rating",
                "quick mode: {mean}/4 from {count} ratings",
                counter.quick_respondents,
            ).format(mean=_two_decimals(mean, locale), count=counter.quick_respondents)
        )
    elif counter.quick:
        parts.append(_("quick mode: no ratings yet"))
    return f"• {name}\n   " + "\n   ".join(parts)


def ikm_text(
    unit: Unit,
    quarter: int,
    start: date,
    end: date,
    scores: Sequence[CounterScore],
    population: int,
    locale: str,
) -> str:
    """/ikm: the unit's index this quarter, its elements lowest first, then every counter."""
    period = f"{quarter_label(quarter)} {start.year} ({format_short_day(start, locale)} – " + (
        f"{format_short_day(end, locale)})"
    )
    unit_score = combine(scores)
    lines = [
        "📊 "
        + _("<b>Citizens' satisfaction index</b> · {unit}").format(unit=html.quote(unit.name)),
        period,
        "",
        _index_line(unit_score, population, locale),
    ]
    result = unit_score.ikm()
    if result is not None:
        lines += ["", _("<b>Elements, lowest first</b> (mean score 1–4):")]
        for code in sorted(CODES, key=lambda item: (result.nrr[item], item)):
            lines.append(f"{code} {element_name(code)}: {_two_decimals(result.nrr[code], locale)}")
    lines += ["", _("<b>Counters</b>")]
    shown = 0
    for counter in scores:
        line = _counter_line(counter, population, locale)
        if sum(len(item) for item in lines) + len(line) > MESSAGE_BUDGET:
            break
        lines.append(line)
        shown += 1
    if shown < len(scores):
        lines.append(_("…and {count} more in the spreadsheet.").format(count=len(scores) - shown))
    return "\n".join(lines)
