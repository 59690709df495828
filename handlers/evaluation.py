"""/evaluasi (/evaluation): the period's evaluation, the self-assessment, the supervisor's.

The ratings being chosen live in the FSM data, bound to one evaluation; the database gets
them in one conditional UPDATE on submit or confirm. Callback data is client input: every
button is checked against the flow's state and the database, and a stale or forged one
gets "This button has expired" and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from textwrap import shorten
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html
from babel.dates import format_date
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import (
    AssessAction,
    AssessAspect,
    AssessRate,
    AssessStep,
    SelfAction,
    SelfRate,
    SelfStep,
)
from bot.commands import EVALUATION
from bot.domain import percent, progress_bar
from bot.evaluation_rules import BEHAVIOURS, PeriodKind, Predicate, Rating, predicate
from bot.filters import NOT_COMMAND, IsEmployee
from bot.formatting import format_moment, format_number, quarter_label
from bot.keyboards import (
    assess_keyboard,
    assess_rating_keyboard,
    confirm_assessment_keyboard,
    rating_label,
    self_rating_keyboard,
    self_step_keyboard,
)
from bot.replies import answer_expired, show_in_place
from bot.states import AssessmentFlow, SelfAssessmentFlow
from bot.texts import too_long_text
from storage.approvals import approvers_of
from storage.evaluations import (
    assessable,
    current_evaluation,
    indicator_totals,
    own_open_evaluation,
    period_kind,
    period_target,
    save_assessment,
    save_self_assessment,
    team_evaluations,
)
from storage.models import Employee, Evaluation
from storage.people import Actor

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
MAX_TEXT = 1000
TITLE_PREVIEW = 80
RESULTS_ITEM = 0
LAST_ITEM = len(BEHAVIOURS)
# Official names (PermenPANRB 6/2022): the same in every language.
PREDICATE_NAMES = {
    Predicate.SANGAT_BAIK: "Sangat Baik",
    Predicate.BAIK: "Baik",
    Predicate.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    Predicate.KURANG: "Kurang",
    Predicate.SANGAT_KURANG: "Sangat Kurang",
}


# --- texts -------------------------------------------------------------------------------


def predicate_label(value: str) -> str:
    """`Baik`, `Kurang (misconduct)`, ...: the official name, explained where it helps."""
    verdict = Predicate(value)
    if verdict is Predicate.KURANG:
        return PREDICATE_NAMES[verdict] + " " + _("(misconduct)")
    return PREDICATE_NAMES[verdict]


def period_label(key: str, locale: str) -> str:
    """`Q3 2026`, `November 2026` or `2026` from a period key."""
    year = int(key[:4])
    kind = period_kind(key)
    if kind is PeriodKind.QUARTERLY:
        return f"{quarter_label(int(key[-1]))} {year}"
    if kind is PeriodKind.MONTHLY:
        return format_date(date(year, int(key[5:7]), 1), "LLLL y", locale=locale)
    return str(year)


def _short_date(day: date, locale: str) -> str:
    return format_date(day, "d MMM y", locale=locale)


async def _realisation(session: AsyncSession, evaluation: Evaluation, locale: str) -> str:
    """Per indicator: approved quantity in the period against the period's target."""
    totals = await indicator_totals(
        session, evaluation.employee_id, evaluation.period_start, evaluation.period_end
    )
    lines = ["<b>" + _("Realisation (approved)") + "</b>"]
    for item in totals:
        target = period_target(item, evaluation)
        title = shorten(item.title, TITLE_PREVIEW, placeholder="…")
        lines.append(f"<b>{html.quote(item.code)}</b> {html.quote(title)}")
        lines.append(
            _("{bar} — {done} of {target} {measure}").format(
                bar=progress_bar(percent(item.approved, target)),
                done=format_number(item.approved, locale),
                target=format_number(target, locale),
                measure=html.quote(item.measure),
            )
        )
    if not totals:
        lines.append(_("No performance indicators are set for this period."))
    return "\n".join(lines)


def _ratings_block(results: str | None, behaviours: dict[str, str], note: str | None) -> str:
    """Work results, the seven behaviours and the note, as rated so far."""
    lines = [_("Work results: {rating}").format(rating=_rating_or_dash(results))]
    lines.append(_("Behaviour (BerAKHLAK):"))
    lines.extend(f"• {name}: {_rating_or_dash(behaviours.get(code))}" for code, name in BEHAVIOURS)
    if note:
        lines.append(_("Note: {note}").format(note=html.quote(note)))
    return "\n".join(lines)


def _rating_or_dash(rating: str | None) -> str:
    return rating_label(rating) if rating else "–"


def _self_step(evaluation: Evaluation, today: date, timezone: str, locale: str) -> str:
    if evaluation.self_submitted_at is not None:
        when = format_moment(evaluation.self_submitted_at, timezone, locale)
        return "✅ " + _("Self-assessment submitted · {when}").format(when=when)
    text = "⏳ " + _("Self-assessment not submitted yet")
    if today > evaluation.self_due:
        text += " · ⚠️ " + _("overdue")
    return text


def _assessment_step(evaluation: Evaluation, timezone: str, locale: str) -> str:
    if evaluation.assessed_at is not None:
        when = format_moment(evaluation.assessed_at, timezone, locale)
        return "✅ " + _("Assessed by the supervisor · {when}").format(when=when)
    if evaluation.self_submitted_at is None:
        return "⏸ " + _("Supervisor's assessment: after your self-assessment")
    return "⏳ " + _("Waiting for the supervisor's assessment")


def _verdict_block(results: str | None, behaviour: str | None, feedback: str | None) -> str:
    """The predicate (once both ratings are in), the ratings and the feedback."""
    lines = []
    if results and behaviour:
        label = predicate_label(predicate(results, behaviour))
        lines.append(_("Predicate: <b>{predicate}</b>").format(predicate=label))
    lines.append(_("Work results: {rating}").format(rating=_rating_or_dash(results)))
    lines.append(_("Behaviour: {rating}").format(rating=_rating_or_dash(behaviour)))
    if feedback:
        lines.append(_("Feedback: {feedback}").format(feedback=html.quote(feedback)))
    return "\n".join(lines)


async def _evaluation_text(
    session: AsyncSession, evaluation: Evaluation, today: date, timezone: str, locale: str
) -> str:
    """The employee's own evaluation: period, deadlines, realisation, steps, the verdict."""
    header = "\n".join(
        [
            _("<b>Evaluation · {period}</b>").format(
                period=period_label(evaluation.period, locale)
            ),
            _("Period: {start} – {end}").format(
                start=_short_date(evaluation.period_start, locale),
                end=_short_date(evaluation.period_end, locale),
            ),
            _("Self-assessment due: {self_due} · assessment due: {assessment_due}").format(
                self_due=_short_date(evaluation.self_due, locale),
                assessment_due=_short_date(evaluation.assessment_due, locale),
            ),
        ]
    )
    steps = "\n".join(
        [
            _self_step(evaluation, today, timezone, locale),
            _assessment_step(evaluation, timezone, locale),
        ]
    )
    blocks = [header, await _realisation(session, evaluation, locale), steps]
    if evaluation.assessed_at is not None:
        blocks.append(_verdict_block(evaluation.results, evaluation.behaviour, evaluation.feedback))
    return "\n\n".join(blocks)


def _member_line(evaluation: Evaluation, member: Employee) -> str:
    """One team member's step: not submitted, waiting for assessment, or the predicate."""
    if evaluation.predicate:
        step = "✅ " + predicate_label(evaluation.predicate)
    elif evaluation.self_submitted_at is not None:
        step = "✍️ " + _("self-assessment in, waiting for your assessment")
    else:
        step = "⏳ " + _("self-assessment not submitted yet")
    return f"• {html.quote(member.name)} — {step}"


def _team_text(team: list[tuple[Evaluation, Employee]], period_key: str, locale: str) -> str:
    lines = [
        _("<b>Your team · {period}</b>").format(period=period_label(period_key, locale)),
        *(_member_line(evaluation, member) for evaluation, member in team),
    ]
    return "\n".join(lines)


def _self_summary(data: dict[str, Any], locale: str) -> str:
    """The self-assessment heading and the answers so far."""
    heading = _("<b>Self-assessment · {period}</b>").format(
        period=period_label(data["period"], locale)
    )
    return heading + "\n\n" + _ratings_block(data["results"], data["behaviours"], data.get("note"))


def _self_question(item: int) -> str:
    """The question of one self-assessment item (0: results, 1-7: behaviours)."""
    if item == RESULTS_ITEM:
        return _(
            "Step 1 of {steps}: how did your work results compare with the targets "
            "and expectations of this period?"
        ).format(steps=LAST_ITEM + 1)
    return _("Step {step} of {steps}: how did you show <b>{name}</b> in this period?").format(
        step=item + 1, steps=LAST_ITEM + 1, name=BEHAVIOURS[item - 1][1]
    )


def _assessor_block(data: dict[str, Any]) -> str:
    """The supervisor's choices so far."""
    verdict = _verdict_block(data.get("results"), data.get("behaviour"), data.get("feedback"))
    return "<b>" + _("Your assessment") + "</b>\n" + verdict


async def _assessment_card(
    session: AsyncSession, evaluation: Evaluation, employee: Employee, timezone: str, locale: str
) -> str:
    """What the assessor sees: who, the realisation and the self-assessment."""
    assert evaluation.self_submitted_at is not None
    heading = _("<b>Evaluation of {name}</b>, NIP {nip} · {period}").format(
        name=html.quote(employee.name),
        nip=employee.nip,
        period=period_label(evaluation.period, locale),
    )
    own = "\n".join(
        [
            "<b>"
            + _("Self-assessment")
            + "</b> · "
            + format_moment(evaluation.self_submitted_at, timezone, locale),
            _ratings_block(
                evaluation.self_results, evaluation.self_behaviours, evaluation.self_note
            ),
        ]
    )
    return "\n\n".join([heading, await _realisation(session, evaluation, locale), own])


# --- helpers -------------------------------------------------------------------------------

Reply = Callable[[str, InlineKeyboardMarkup | None], Awaitable[None]]


def _in_place(query: CallbackQuery) -> Reply:
    """Answer by editing the pressed message."""

    async def reply(text: str, markup: InlineKeyboardMarkup | None) -> None:
        await show_in_place(query, text, markup)

    return reply


def _in_prompt(message: Message, bot: Bot, prompt_id: int | None) -> Reply:
    """Answer a typed text by editing the flow's message (a new one if it cannot be edited)."""

    async def reply(text: str, markup: InlineKeyboardMarkup | None) -> None:
        if prompt_id is not None:
            try:
                await bot.edit_message_text(
                    text, chat_id=message.chat.id, message_id=prompt_id, reply_markup=markup
                )
                return
            except TelegramBadRequest:
                logger.info("evaluation prompt %s not editable; sent anew", prompt_id)
        await message.answer(text, reply_markup=markup)

    return reply


def _timezone(actor: Actor) -> str:
    assert actor.unit is not None
    return actor.unit.timezone


async def _flow_data(state: FSMContext, expected: State, evaluation_id: int) -> dict[str, Any]:
    """The flow's data when it stands at `expected` for this evaluation, else empty."""
    if await state.get_state() != expected.state:
        return {}
    data = await state.get_data()
    return data if data.get("evaluation_id") == evaluation_id else {}


def _prompt_id(query: CallbackQuery) -> int | None:
    return query.message.message_id if isinstance(query.message, Message) else None


async def _typed_text(message: Message, ask_again: str) -> str | None:
    """The message's text (1 to MAX_TEXT characters); otherwise say why, and None."""
    text = (message.text or "").strip()
    if len(text) > MAX_TEXT:
        await message.answer(too_long_text(len(text), MAX_TEXT))
        return None
    if not text:
        await message.answer(ask_again)
        return None
    return text


def _rating(value: str) -> Rating | None:
    try:
        return Rating(value)
    except ValueError:
        return None


async def _send(
    bot: Bot,
    i18n: I18n,
    person: Employee,
    build: Callable[[str], tuple[str, InlineKeyboardMarkup | None]],
) -> None:
    """A message built in the person's language; a blocked or unlinked person is skipped."""
    if person.telegram_id is None:
        return
    locale = person.language or i18n.default_locale
    with i18n.use_locale(locale):
        text, markup = build(locale)
    try:
        await bot.send_message(person.telegram_id, text, reply_markup=markup)
    except TelegramAPIError as error:
        logger.warning("evaluation notice to employee %s not delivered: %s", person.id, error)


# --- /evaluasi -----------------------------------------------------------------------------


async def show_evaluation(
    message: Message, session: AsyncSession, actor: Actor, i18n: I18n, clock: Clock
) -> None:
    """The current evaluation with its self-assessment button; then the team's, if any."""
    me, today, locale = actor.member, actor.today(clock()), i18n.current_locale
    evaluation = await current_evaluation(session, me.id or 0, today)
    if evaluation is None or evaluation.id is None:
        await message.answer(_("No evaluation has been opened for you yet."))
        return
    text = await _evaluation_text(session, evaluation, today, _timezone(actor), locale)
    markup = None
    if evaluation.self_submitted_at is None:
        markup = self_step_keyboard(evaluation.id, SelfAction.START)
    await message.answer(text, reply_markup=markup)
    team = await team_evaluations(session, me.id or 0, evaluation.period, today)
    if team:
        waiting = [
            (row.id or 0, member.name)
            for row, member in team
            if row.self_submitted_at is not None and row.assessed_at is None
        ]
        await message.answer(
            _team_text(team, evaluation.period, locale),
            reply_markup=assess_keyboard(waiting) if waiting else None,
        )


# --- the self-assessment -------------------------------------------------------------------


async def on_self_step(
    query: CallbackQuery,
    callback_data: SelfStep,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    bot: Bot,
) -> None:
    """Start the self-assessment, skip the note, or submit."""
    evaluation_id = callback_data.evaluation_id
    if callback_data.action == SelfAction.START:
        await _start_self(query, evaluation_id, session, state, actor, i18n)
    elif callback_data.action == SelfAction.SKIP_NOTE:
        data = await _flow_data(state, SelfAssessmentFlow.note, evaluation_id)
        if not data:
            await answer_expired(query)
            return
        await _review_self(_in_place(query), state, {**data, "note": None}, i18n)
        await query.answer()
    else:
        await _submit_self(query, evaluation_id, session, state, actor, i18n, clock, bot)


async def _start_self(
    query: CallbackQuery,
    evaluation_id: int,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
) -> None:
    """The first question, for the user's own evaluation while it is open."""
    evaluation = await own_open_evaluation(session, evaluation_id, actor.member.id or 0)
    if evaluation is None:
        await answer_expired(query)
        return
    data = {
        "evaluation_id": evaluation_id,
        "period": evaluation.period,
        "item": RESULTS_ITEM,
        "results": None,
        "behaviours": {},
    }
    await state.set_state(SelfAssessmentFlow.rating)
    await state.set_data(data)
    await _ask_self_item(_in_place(query), data, i18n)
    await query.answer()


async def _ask_self_item(reply: Reply, data: dict[str, Any], i18n: I18n) -> None:
    item = data["item"]
    text = _self_summary(data, i18n.current_locale) + "\n\n" + _self_question(item)
    await reply(text, self_rating_keyboard(data["evaluation_id"], item))


async def on_self_rate(
    query: CallbackQuery, callback_data: SelfRate, state: FSMContext, i18n: I18n
) -> None:
    """Record the rating of the current item; ask the next one, or for the note."""
    data = await _flow_data(state, SelfAssessmentFlow.rating, callback_data.evaluation_id)
    rating = _rating(callback_data.rating)
    if not data or rating is None or data["item"] != callback_data.item:
        await answer_expired(query)
        return
    item = callback_data.item
    if item == RESULTS_ITEM:
        data["results"] = rating.value
    else:
        data["behaviours"] = {**data["behaviours"], BEHAVIOURS[item - 1][0]: rating.value}
    data["item"] = item + 1
    if item < LAST_ITEM:
        await state.set_data(data)
        await _ask_self_item(_in_place(query), data, i18n)
    else:
        await state.set_state(SelfAssessmentFlow.note)
        await state.set_data({**data, "prompt_id": _prompt_id(query)})
        text = _self_summary(data, i18n.current_locale) + "\n\n" + _note_request()
        await show_in_place(
            query, text, self_step_keyboard(callback_data.evaluation_id, SelfAction.SKIP_NOTE)
        )
    await query.answer()


def _note_request() -> str:
    return _("Add a note for your supervisor in at most {limit} characters, or tap Skip.").format(
        limit=MAX_TEXT
    )


async def on_note(message: Message, state: FSMContext, i18n: I18n, bot: Bot) -> None:
    """The optional note; then the review, in the flow's message."""
    note = await _typed_text(message, _note_request())
    if note is None:
        return
    data = await state.get_data()
    await _review_self(
        _in_prompt(message, bot, data.get("prompt_id")), state, data | {"note": note}, i18n
    )


async def note_not_text(message: Message) -> None:
    await message.answer(_note_request())


async def _review_self(reply: Reply, state: FSMContext, data: dict[str, Any], i18n: I18n) -> None:
    await state.set_state(SelfAssessmentFlow.review)
    await state.set_data(data)
    text = (
        _self_summary(data, i18n.current_locale)
        + "\n\n"
        + _("Check your answers: once submitted they cannot be changed.")
    )
    await reply(text, self_step_keyboard(data["evaluation_id"], SelfAction.SUBMIT))


async def _submit_self(
    query: CallbackQuery,
    evaluation_id: int,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    bot: Bot,
) -> None:
    """Save once; then tell the employee who will assess, and tell them."""
    data = await _flow_data(state, SelfAssessmentFlow.review, evaluation_id)
    me = actor.member
    if not data or not await save_self_assessment(
        session,
        evaluation_id,
        me.id or 0,
        data["results"],
        data["behaviours"],
        data.get("note"),
        clock(),
    ):
        await answer_expired(query)
        return
    await state.clear()
    assessors = await approvers_of(session, me, actor.today(clock()))
    if assessors:
        names = ", ".join(html.quote(person.name) for person in assessors)
        sent = _("Sent to {names} for assessment.").format(names=names)
    else:
        sent = _("Your supervisor has not joined the bot yet; they will assess it there.")
    done = "✅ " + _("Self-assessment submitted.") + " " + sent
    await show_in_place(query, done + "\n\n" + _self_summary(data, i18n.current_locale))
    await query.answer()

    def notice(locale: str) -> tuple[str, InlineKeyboardMarkup]:
        text = "📥 " + _("{name} submitted the self-assessment for {period}.").format(
            name=html.quote(me.name), period=period_label(data["period"], locale)
        )
        return text, assess_keyboard([(evaluation_id, me.name)])

    for person in assessors:
        await _send(bot, i18n, person, notice)


# --- the supervisor's assessment -----------------------------------------------------------


def _assessment_question(
    data: dict[str, Any], evaluation_id: int, name: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The assessor's next question and its buttons, from what is chosen so far."""
    if "results" not in data:
        return _("Rate the work results of this period."), assess_rating_keyboard(
            evaluation_id, AssessAspect.RESULTS
        )
    if "behaviour" not in data:
        return _("Rate the behaviour (BerAKHLAK) in this period."), assess_rating_keyboard(
            evaluation_id, AssessAspect.BEHAVIOUR
        )
    if "feedback" not in data:
        question = _("Write your feedback for {name} (required, at most {limit} characters).")
        return question.format(name=name, limit=MAX_TEXT), None
    question = _("Confirm to save the assessment and tell {name}.")
    return question.format(name=name), confirm_assessment_keyboard(evaluation_id)


async def _show_assessment(
    reply: Reply,
    session: AsyncSession,
    found: tuple[Evaluation, Employee],
    data: dict[str, Any],
    actor: Actor,
    i18n: I18n,
) -> None:
    """The card, the choices so far and the next question with its buttons."""
    evaluation, employee = found
    card = await _assessment_card(
        session, evaluation, employee, _timezone(actor), i18n.current_locale
    )
    question, markup = _assessment_question(data, evaluation.id or 0, html.quote(employee.name))
    await reply("\n\n".join([card, _assessor_block(data), question]), markup)


async def on_assess_step(
    query: CallbackQuery,
    callback_data: AssessStep,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    bot: Bot,
) -> None:
    """Start assessing an evaluation, or confirm the assessment."""
    evaluation_id = callback_data.evaluation_id
    if callback_data.action == AssessAction.CONFIRM:
        await _confirm_assessment(query, evaluation_id, session, state, actor, i18n, clock, bot)
        return
    found = await assessable(session, evaluation_id, actor.member.id or 0, actor.today(clock()))
    if found is None:
        await answer_expired(query)
        return
    data = {"evaluation_id": evaluation_id, "prompt_id": _prompt_id(query)}
    await state.set_state(AssessmentFlow.rating)
    await state.set_data(data)
    await _show_assessment(_in_place(query), session, found, data, actor, i18n)
    await query.answer()


async def on_assess_rate(
    query: CallbackQuery,
    callback_data: AssessRate,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
) -> None:
    """The results rating, then the behaviour rating; then ask for the feedback."""
    evaluation_id, aspect = callback_data.evaluation_id, callback_data.aspect
    data = await _flow_data(state, AssessmentFlow.rating, evaluation_id)
    expected = AssessAspect.BEHAVIOUR if "results" in data else AssessAspect.RESULTS
    rating = _rating(callback_data.rating)
    found = None
    if data and rating is not None and aspect == expected:
        found = await assessable(session, evaluation_id, actor.member.id or 0, actor.today(clock()))
    if found is None or rating is None:
        await answer_expired(query)
        return
    key = "results" if aspect == AssessAspect.RESULTS else "behaviour"
    data = data | {key: rating.value, "prompt_id": _prompt_id(query)}
    if aspect == AssessAspect.BEHAVIOUR:
        await state.set_state(AssessmentFlow.feedback)
    await state.set_data(data)
    await _show_assessment(_in_place(query), session, found, data, actor, i18n)
    await query.answer()


async def on_feedback(
    message: Message,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    bot: Bot,
) -> None:
    """The required feedback; then the confirmation with the predicate."""
    feedback = await _typed_text(message, _feedback_request())
    if feedback is None:
        return
    data = await state.get_data()
    found = await assessable(
        session, data["evaluation_id"], actor.member.id or 0, actor.today(clock())
    )
    if found is None:
        await state.clear()
        await message.answer(_("This evaluation can no longer be assessed by you."))
        return
    data = data | {"feedback": feedback}
    await state.set_state(AssessmentFlow.confirm)
    await state.set_data(data)
    reply = _in_prompt(message, bot, data.get("prompt_id"))
    await _show_assessment(reply, session, found, data, actor, i18n)


def _feedback_request() -> str:
    return _("Write your feedback in at most {limit} characters; it is required.").format(
        limit=MAX_TEXT
    )


async def feedback_not_text(message: Message) -> None:
    await message.answer(_feedback_request())


async def _confirm_assessment(
    query: CallbackQuery,
    evaluation_id: int,
    session: AsyncSession,
    state: FSMContext,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
    bot: Bot,
) -> None:
    """Save once; then tell the employee the predicate and the feedback."""
    data = await _flow_data(state, AssessmentFlow.confirm, evaluation_id)
    me = actor.member
    verdict = None
    if data:
        verdict = await save_assessment(
            session,
            evaluation_id,
            me.id or 0,
            data["results"],
            data["behaviour"],
            data["feedback"],
            clock(),
            actor.today(clock()),
        )
    if verdict is None:
        await answer_expired(query)
        return
    await state.clear()
    evaluation = await session.get(Evaluation, evaluation_id)
    assert evaluation is not None
    employee = await session.get(Employee, evaluation.employee_id)
    assert employee is not None
    done = "✅ " + _("Assessment saved; {name} has been told.").format(
        name=html.quote(employee.name)
    )
    await show_in_place(query, done + "\n\n" + _assessor_block(data))
    await query.answer()

    def result(locale: str) -> tuple[str, None]:
        text = "📋 " + _("{name} assessed your evaluation for {period}.").format(
            name=html.quote(me.name), period=period_label(evaluation.period, locale)
        )
        verdict = _verdict_block(evaluation.results, evaluation.behaviour, evaluation.feedback)
        return text + "\n\n" + verdict, None

    await _send(bot, i18n, employee, result)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsEmployee())
    router.callback_query.filter(IsEmployee())
    router.message.register(show_evaluation, EVALUATION.filter())
    router.message.register(on_note, SelfAssessmentFlow.note, F.text, NOT_COMMAND)
    router.message.register(note_not_text, SelfAssessmentFlow.note, NOT_COMMAND)
    router.message.register(on_feedback, AssessmentFlow.feedback, F.text, NOT_COMMAND)
    router.message.register(feedback_not_text, AssessmentFlow.feedback, NOT_COMMAND)
    router.callback_query.register(on_self_step, SelfStep.filter())
    router.callback_query.register(on_self_rate, SelfRate.filter())
    router.callback_query.register(on_assess_step, AssessStep.filter())
    router.callback_query.register(on_assess_rate, AssessRate.filter())
    return router
