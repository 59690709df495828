"""Citizens rate a service: `/start c_<counter>` from the counter's QR code, then the SKM survey.

No registration: the citizen is known only by an HMAC of their Telegram id. One message is
edited in place through the questions, the comment and the profile; the database holds the
progress (no FSM), so a restart or a second phone loses nothing and stale buttons expire.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import SurveyAction, SurveyAnswer, SurveyProfile, SurveyStep
from bot.commands import DELETE_DATA
from bot.domain import local_today
from bot.filters import NOT_COMMAND
from bot.keyboards import profile_keyboard, skip_comment_keyboard, survey_answer_keyboard
from bot.qr import PAYLOAD_PREFIX
from bot.replies import answer_expired, show_in_place
from bot.skm import SCORES
from bot.survey_texts import (
    comment_prompt,
    profile_prompt,
    question_text,
    thanks_text,
    visit_header,
)
from bot.texts import too_long_text
from storage.models import SurveyResponse, SurveyStage
from storage.people import Actor
from storage.survey import (
    COMMENT_MAX,
    DECLINED,
    PROFILE_OPTIONS,
    AlertKind,
    ProfileField,
    Visit,
    answer_profile,
    awaiting_comment,
    find_counter,
    forget_respondent,
    leave_comment,
    load_response,
    lowest_rated,
    next_profile_field,
    next_question,
    plan_alerts,
    questions_of,
    record_answer,
    skip_profile,
    start_response,
)

Clock = Callable[[], datetime]


def step_view(
    visit: Visit, response: SurveyResponse, locale: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message for where the response stands: a question, the comment, profile, thanks."""
    assert response.id is not None
    if response.stage == SurveyStage.ELEMENTS:
        question = next_question(response)
        assert question is not None
        asked = questions_of(response)
        text = question_text(visit, question, asked.index(question) + 1, len(asked))
        return text, survey_answer_keyboard(response.id, question)
    if response.stage == SurveyStage.COMMENT:
        return comment_prompt(visit), skip_comment_keyboard(response.id)
    field = next_profile_field(response)
    if response.stage == SurveyStage.PROFILE and field is not None:
        return profile_prompt(visit, field), profile_keyboard(response.id, field)
    return thanks_text(visit, locale), None


async def start_survey(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
) -> None:
    """Greet the citizen with the counter's unit and service and ask the first question."""
    code = (command.args or "").removeprefix(PAYLOAD_PREFIX)
    visit = await find_counter(session, code)
    if visit is None:
        await message.answer(
            _(
                "This QR code does not belong to any service counter we know. "
                "Please scan the code at the counter again, or ask the staff for help."
            )
        )
        return
    now = clock()
    today = local_today(now, visit.unit.timezone)
    response = await start_response(session, visit, actor.user_key, today, now)
    if response.stage == SurveyStage.DONE:
        await message.answer(
            visit_header(visit.counter, visit.unit)
            + "\n\n"
            + _(
                "You have already rated this service today. Thank you! "
                "You can rate it again tomorrow."
            )
        )
        return
    text, markup = step_view(visit, response, i18n.current_locale)
    await message.answer(text, reply_markup=markup)


async def answer_question(
    query: CallbackQuery,
    callback_data: SurveyAnswer,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    clock: Clock,
) -> None:
    """Store one answer and ask the next question; the last one alerts on a rating of 1."""
    loaded = await load_response(session, callback_data.response_id, actor.user_key)
    if loaded is None or callback_data.score not in SCORES:
        await answer_expired(query)
        return
    response, visit = loaded
    now = clock()
    if not await record_answer(session, response, callback_data.question, callback_data.score, now):
        await answer_expired(query)
        return
    if response.stage == SurveyStage.COMMENT:
        await plan_low_rating_alert(session, visit, response, now)
    await show_in_place(query, *step_view(visit, response, i18n.current_locale))
    await query.answer()


async def plan_low_rating_alert(
    session: AsyncSession, visit: Visit, response: SurveyResponse, now: datetime
) -> None:
    """Tell the unit's head at once when any question got the lowest answer."""
    if lowest_rated(response):
        await plan_alerts(session, AlertKind.LOW_RATING, visit, response, now)


async def take_comment(
    message: Message, session: AsyncSession, actor: Actor, i18n: I18n, clock: Clock
) -> None:
    """A text from a citizen whose survey asks for a comment; anyone else's goes on."""
    now = clock()
    waiting = await awaiting_comment(session, actor.user_key, now)
    if waiting is None:
        raise SkipHandler
    response, visit = waiting
    text = (message.text or "").strip()
    if len(text) > COMMENT_MAX:
        await message.answer(too_long_text(len(text), COMMENT_MAX))
        return
    if not await leave_comment(session, response, text):
        raise SkipHandler
    await plan_alerts(session, AlertKind.COMPLAINT, visit, response, now)
    reply, markup = step_view(visit, response, i18n.current_locale)
    await message.answer(reply, reply_markup=markup)


async def survey_step(
    query: CallbackQuery,
    callback_data: SurveyStep,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
) -> None:
    """Skip the comment, or the rest of the profile."""
    loaded = await load_response(session, callback_data.response_id, actor.user_key)
    if loaded is None:
        await answer_expired(query)
        return
    response, visit = loaded
    if callback_data.action == SurveyAction.SKIP_COMMENT:
        done = await leave_comment(session, response, None)
    else:
        done = await skip_profile(session, response)
    if not done:
        await answer_expired(query)
        return
    await show_in_place(query, *step_view(visit, response, i18n.current_locale))
    await query.answer()


async def answer_profile_question(
    query: CallbackQuery,
    callback_data: SurveyProfile,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
) -> None:
    """Store one profile answer (or its refusal) and ask the next one."""
    loaded = await load_response(session, callback_data.response_id, actor.user_key)
    field = next((item for item in ProfileField if item.value == callback_data.field), None)
    valid = field is not None and (
        callback_data.value == DECLINED or callback_data.value in PROFILE_OPTIONS[field]
    )
    if loaded is None or field is None or not valid:
        await answer_expired(query)
        return
    response, visit = loaded
    if not await answer_profile(session, response, field, callback_data.value):
        await answer_expired(query)
        return
    await show_in_place(query, *step_view(visit, response, i18n.current_locale))
    await query.answer()


async def delete_my_data(message: Message, session: AsyncSession, actor: Actor) -> None:
    """Unlink the citizen's ratings from their Telegram account, for good."""
    count = await forget_respondent(session, actor.user_key)
    if count == 0:
        await message.answer(
            _("No service ratings are linked to your Telegram account. There is nothing to delete.")
        )
        return
    await message.answer(
        ngettext(
            "Done: {count} service rating is no longer linked to your Telegram account. "
            "It still counts, anonymously, in the service's satisfaction index.",
            "Done: {count} service ratings are no longer linked to your Telegram account. "
            "They still count, anonymously, in the service's satisfaction index.",
            count,
        ).format(count=count)
    )


def build_router() -> Router:
    """The deep link, the survey's buttons and /hapusdata: before /start takes deep links."""
    router = Router(name=__name__)
    router.message.register(
        start_survey, CommandStart(deep_link=True, magic=F.args.startswith(PAYLOAD_PREFIX))
    )
    router.message.register(delete_my_data, DELETE_DATA.filter())
    router.callback_query.register(answer_question, SurveyAnswer.filter())
    router.callback_query.register(survey_step, SurveyStep.filter())
    router.callback_query.register(answer_profile_question, SurveyProfile.filter())
    return router


def build_comment_router() -> Router:
    """Comments: only texts no feature took get here, so flows pay no extra query."""
    router = Router(name=f"{__name__}.comments")
    router.message.register(take_comment, F.text, NOT_COMMAND)
    return router
