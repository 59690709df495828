"""End to end over HTTP: self-assessment, the supervisor's assessment, stale and forged buttons."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.callbacks import AssessAction, AssessAspect, AssessRate, AssessStep, SelfAction, SelfStep
from bot.evaluation_rules import BEHAVIOURS, PeriodKind, period_of
from storage.evaluations import open_evaluations
from storage.models import Evaluation, ReportStatus
from tests.factories import Org, add_indicator, add_report, fixed_clock, link, seed_org
from tests.fake_telegram import ApiCall, FakeTelegramServer, FakeUser
from tests.harness import Fetch, PollingBot

# 11:00 WITA on Monday 5 October 2026: Q3 has closed, its self-assessment is due on the 7th.
NOW = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
Q3 = period_of(PeriodKind.QUARTERLY, date(2026, 8, 1))
FEEDBACK = "Hasil kerja melampaui target; pertahankan <kualitas> layanan."


async def prepare(session: AsyncSession, polling_bot: PollingBot) -> tuple[Org, int]:
    """The org with Q3 opened and some approved work; the staff member's evaluation id."""
    org = await seed_org(session)
    await link(session, org.staff, 1001, "en")
    await link(session, org.head, 1002, "en")
    await link(session, org.admin, 1003, "en")
    docs = await add_indicator(session, org.staff, "IKU-1", "Menyusun SK mutasi", "dokumen", "40")
    await add_report(session, org.staff, date(2026, 8, 3), ReportStatus.APPROVED, [(docs, "3")])
    await add_report(session, org.staff, date(2026, 9, 30), ReportStatus.APPROVED, [(docs, "2")])
    await add_report(session, org.staff, date(2026, 9, 29), ReportStatus.SUBMITTED, [(docs, "9")])
    await open_evaluations(session, Q3, date(2026, 10, 7), date(2026, 10, 14))
    evaluation = (
        await session.exec(select(Evaluation).where(Evaluation.employee_id == org.staff.id))
    ).one()
    await session.commit()  # no transaction may stay open: SQLite locks at BEGIN
    polling_bot.clock = fixed_clock(NOW)
    await polling_bot.start()
    return org, evaluation.id or 0


async def press(user: FakeUser, button: str, message: dict[str, Any] | None = None) -> str:
    user.click_button(button, message=message)
    return (await user.reply()).text or ""


async def say(user: FakeUser, text: str) -> str:
    user.send(text)
    return (await user.reply()).text or ""


async def alert(telegram: FakeTelegramServer, user: FakeUser, start: int) -> ApiCall:
    return await telegram.core.wait_for_call(
        "answerCallbackQuery",
        lambda c: "This button has expired" in (c.params.get("text") or ""),
        start=start,
    )


async def self_assess(staff: FakeUser, note: str | None) -> str:
    """/evaluation, every rating with buttons, the note (or Skip); returns the review."""
    overview = await say(staff, "/evaluation")
    assert "<b>Evaluation · Q3 2026</b>" in overview
    assert "Period: 1 Jul 2026 – 30 Sep 2026" in overview
    assert "Self-assessment due: 7 Oct 2026 · assessment due: 14 Oct 2026" in overview
    assert "▓▓▓▓▓░░░░░ 50% — 5 of 10 dokumen" in overview
    assert "⏳ Self-assessment not submitted yet" in overview
    assert "Step 1 of 8" in await press(staff, "Start self-assessment")
    step = await press(staff, "above expectation")
    for number, (_code, name) in enumerate(BEHAVIOURS, start=2):
        assert f"Step {number} of 8: how did you show <b>{name}</b>" in step
        step = await press(staff, "above expectation" if name == "Kompeten" else "as expected")
    assert "Add a note for your supervisor" in step
    if note is None:
        review = await press(staff, "Skip")
        assert "Note:" not in review
    else:
        assert "That is 1001 characters; the limit is 1000." in await say(staff, "x" * 1001)
        review = await say(staff, note)
    assert "Check your answers: once submitted they cannot be changed." in review
    return review


async def test_self_assessment_then_assessment_tells_both_sides(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    org, evaluation_id = await prepare(session, polling_bot)
    staff = telegram.core.user(1001, "Budi", language_code="en")
    head = telegram.core.user(1002, "Siti", language_code="en")

    review = await self_assess(staff, "Target TW 3 tercapai & <lebih>.")
    assert "Note: Target TW 3 tercapai &amp; &lt;lebih&gt;." in review
    assert "Work results: above expectation" in review
    assert "• Kompeten: above expectation" in review
    assert "• Kolaboratif: as expected" in review
    submit_message = with_button(telegram, staff, "Submit")
    submitted = await press(staff, "Submit")
    assert "Self-assessment submitted. Sent to Siti Rahmawati for assessment." in submitted

    notice = await telegram.core.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == 1002)
    assert notice.text == ("📥 Budi &lt;Santoso&gt; submitted the self-assessment for Q3 2026.")
    card = await press(head, "Assess", message=notice.result)
    assert "<b>Evaluation of Budi &lt;Santoso&gt;</b>" in card
    assert "5 of 10 dokumen" in card
    assert "• Kompeten: above expectation" in card
    assert "Rate the work results" in card
    assert "Rate the behaviour" in await press(head, "above expectation")
    assert "Write your feedback for" in await press(head, "as expected")
    confirmation = await say(head, FEEDBACK)
    assert "Predicate: <b>Baik</b>" in confirmation
    assert "Feedback: Hasil kerja melampaui target; pertahankan &lt;kualitas&gt;" in confirmation
    confirm_message = with_button(telegram, head, "Confirm and send")
    saved = await press(head, "Confirm and send")
    assert "Assessment saved; Budi &lt;Santoso&gt; has been told." in saved

    told = await staff.reply()
    assert told.text is not None
    assert told.text.startswith("📋 Siti Rahmawati assessed your evaluation for Q3 2026.")
    assert "Predicate: <b>Baik</b>" in told.text
    assert "Work results: above expectation\nBehaviour: as expected" in told.text
    assert "Feedback: Hasil kerja melampaui target" in told.text

    mark = len(telegram.core.calls)  # double taps on the old messages change nothing
    head.click_button("Confirm and send", message=confirm_message)
    await alert(telegram, head, mark)
    staff.click_button("Submit", message=submit_message)
    await alert(telegram, staff, mark)

    rows = await fetch(select(Evaluation).where(Evaluation.id == evaluation_id))
    evaluation = rows[0]
    assert (evaluation.self_results, evaluation.self_note) == (
        "above",
        "Target TW 3 tercapai & <lebih>.",
    )
    assert evaluation.self_behaviours == {
        code: "above" if code == "kompeten" else "as" for code, _name in BEHAVIOURS
    }
    assert (evaluation.results, evaluation.behaviour, evaluation.predicate) == (
        "above",
        "as",
        "baik",
    )
    assert (evaluation.feedback, evaluation.assessor_id) == (FEEDBACK, org.head.id)
    assert evaluation.self_submitted_at == NOW and evaluation.assessed_at == NOW

    overview = await say(staff, "/evaluation")
    assert "✅ Assessed by the supervisor · 5 Oct 2026 11:00 WITA" in overview
    assert "Predicate: <b>Baik</b>" in overview
    assert "Start self-assessment" not in str(staff.last_message().get("reply_markup"))


async def test_team_list_and_forged_buttons_change_nothing(
    session: AsyncSession, polling_bot: PollingBot, telegram: FakeTelegramServer, fetch: Fetch
) -> None:
    _org, evaluation_id = await prepare(session, polling_bot)
    staff = telegram.core.user(1001, "Budi", language_code="en")
    head = telegram.core.user(1002, "Siti", language_code="en")
    stranger = telegram.core.user(1003, "Andi", language_code="en")

    head.send("/evaluation")
    await head.reply()
    team = await head.reply()
    assert "<b>Your team · Q3 2026</b>" in (team.text or "")
    assert "Budi &lt;Santoso&gt; — ⏳ self-assessment not submitted yet" in (team.text or "")
    assert "reply_markup" not in team.params

    forged = [
        SelfStep(evaluation_id=evaluation_id, action=SelfAction.START).pack(),
        SelfStep(evaluation_id=evaluation_id, action=SelfAction.SUBMIT).pack(),
        AssessStep(evaluation_id=evaluation_id, action=AssessAction.START).pack(),
        AssessRate(evaluation_id=evaluation_id, aspect=AssessAspect.RESULTS, rating="as").pack(),
        "evr:1:0:superb",
    ]
    for data in forged:
        mark = len(telegram.core.calls)
        stranger.click(data, message=_any_message(stranger))
        await alert(telegram, stranger, mark)

    await self_assess(staff, None)
    await press(staff, "Submit")
    await head.reply()  # the notice
    for data in forged[2:4]:  # the staff member may not assess themselves
        mark = len(telegram.core.calls)
        staff.click(data, message=_any_message(staff))
        await alert(telegram, staff, mark)
    mark = len(telegram.core.calls)
    head.click(  # a rating out of order
        AssessRate(evaluation_id=evaluation_id, aspect=AssessAspect.BEHAVIOUR, rating="as").pack(),
        message=_any_message(head),
    )
    await alert(telegram, head, mark)

    head.send("/evaluation")
    await head.reply()
    team = await head.reply()
    assert "Budi &lt;Santoso&gt; — ✍️ self-assessment in, waiting for your assessment" in (
        team.text or ""
    )
    assert "Rate the work results" in await press(head, "Assess", message=team.result)
    rows = await fetch(
        select(Evaluation.results, Evaluation.predicate, Evaluation.assessed_at).where(
            Evaluation.id == evaluation_id
        )
    )
    assert rows == [(None, None, None)]


def with_button(telegram: FakeTelegramServer, user: FakeUser, text: str) -> dict[str, Any]:
    """The newest bot message in the user's chat with a button containing `text`, as it is now."""
    for message in reversed(telegram.core.chat_messages(user.id)):
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        if any(text in button["text"] for row in rows for button in row):
            return message
    raise AssertionError(f"no message with a {text!r} button")


def _any_message(user: FakeUser) -> dict[str, Any]:
    """A message for a forged button to sit on."""
    return {"message_id": 1, "chat": {"id": user.id, "type": "private"}, "date": 0, "text": "x"}
