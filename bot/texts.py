"""Messages more than one handler sends, built in the current language."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html
from babel.dates import format_date

from bot.charts import ChartLabels
from bot.commands import HELP, MENU
from bot.formatting import format_number, status_label
from bot.ikm import GRADES
from bot.ikm_workbook import IkmLabels
from bot.skm import ELEMENTS
from bot.spreadsheets import SheetLabels
from bot.survey_texts import profile_option, profile_question
from storage.models import ReportStatus
from storage.people import Actor
from storage.survey import PROFILE_OPTIONS, ProfileField


def roles_text(actor: Actor) -> str:
    """`employee`, `supervisor, admin`, ... for a linked employee."""
    roles = [_("employee")]
    if actor.is_supervisor:
        roles.append(_("supervisor"))
    if actor.is_admin:
        roles.append(_("admin"))
    return ", ".join(roles)


def profile_text(actor: Actor) -> str:
    """Name, NIP, position, unit and roles of a linked employee."""
    assert actor.employee is not None and actor.unit is not None
    lines = [
        _("<b>{name}</b>, NIP {nip}").format(
            name=html.quote(actor.employee.name), nip=actor.employee.nip
        ),
    ]
    if actor.employee.position:
        lines.append(html.quote(actor.employee.position))
    lines.append(_("Unit: {unit}").format(unit=html.quote(actor.unit.name)))
    lines.append(_("Role: {roles}").format(roles=roles_text(actor)))
    return "\n".join(lines)


def join_instructions() -> str:
    """How an employee joins, and what a citizen can do without joining."""
    return _(
        "Employees: ask the admin of your unit (BKD or the personnel section) for your "
        "personal invite link and open it on this phone.\n"
        "Citizens: to rate a public service, scan the QR code at the service counter."
    )


def not_registered_text() -> str:
    """Reply to an unregistered user who tries something only employees may do."""
    return _("You are not registered as an employee yet.") + "\n\n" + join_instructions()


def too_long_text(length: int, limit: int) -> str:
    """Refusal of a text over its limit, with both numbers."""
    return _(
        "That is {length} characters; the limit is {limit}. Please shorten it and send it again."
    ).format(length=length, limit=limit)


def help_hint(locale: str) -> str:
    """A one-line pointer to the help command."""
    return _("Send /{command} to see what you can do.").format(command=HELP.name(locale))


def help_text(actor: Actor, locale: str) -> str:
    """What this user may do, with the commands named in their language."""
    commands = "\n".join(
        f"/{spec.name(locale)} — {spec.description}"
        for spec in MENU
        if actor.is_employee or not spec.for_employees
    )
    about = profile_text(actor) if actor.is_employee else join_instructions()
    return "\n\n".join([_("<b>What you can do</b>"), commands, about])


def chart_labels(locale: str) -> ChartLabels:
    """The team chart's strings and number formats in the current language."""
    return ChartLabels(
        title_achievement=_("Achievement this quarter (%)"),
        title_daily=_("Reports per working day, last 4 weeks"),
        no_data=_("No data yet"),
        more=_("+{count} more"),
        date_format=lambda day: format_date(day, "d/M", locale=locale),
        number_format=lambda value: format_number(value, locale),
    )


def sheet_labels() -> SheetLabels:
    """The spreadsheet's headers and status names in the current language."""
    return SheetLabels(
        activities_sheet=_("Activities"),
        summary_sheet=_("Summary"),
        date=_("Date"),
        nip="NIP",
        name=_("Name"),
        indicator=_("Indicator"),
        activity=_("Activity"),
        quantity=_("Quantity"),
        measure=_("Unit of measure"),
        status=_("Status"),
        decided_by=_("Decided by"),
        evidence=_("Evidence"),
        approved=_("Approved"),
        pending=_("Awaiting approval"),
        activities=_("Activities"),
        additional_task=_("Additional task"),
        statuses={status: status_label(status) for status in ReportStatus},
    )


def ikm_labels(locale: str) -> IkmLabels:
    """The survey workbook's headers and processing rows in the current language.

    Element names and grades keep the regulation's wording in Indonesian (`Persyaratan`,
    `Sangat Baik`), so they are picked by `locale` rather than translated.
    """
    return IkmLabels(
        data_sheet=_("Data"),
        counters_sheet=_("Counters"),
        number=_("No"),
        date=_("Date"),
        counter=_("Counter"),
        quick_answer=_("Quick rating"),
        comment=_("Suggestion or complaint"),
        sex=profile_question(ProfileField.SEX),
        age_band=profile_question(ProfileField.AGE),
        education=profile_question(ProfileField.EDUCATION),
        occupation=profile_question(ProfileField.OCCUPATION),
        unit=_("Unit"),
        period=_("Period"),
        element=_("Element"),
        totals=_("Total score per element"),
        answers=_("Answers per element"),
        nrr=_("Mean score per element (NRR)"),
        weighted=_("Weighted NRR (NRR × 1/9)"),
        ikm=_("IKM (sum of weighted NRR)"),
        converted=_("Converted IKM (IKM × 25)"),
        quality=_("Service quality"),
        respondents=_("Respondents"),
        population=_("Yearly visitors (population)"),
        sample=_("Sample needed (Krejcie-Morgan)"),
        no_index=_("Not every element has an answer yet"),
        code=_("Code"),
        service=_("Service"),
        grade=_("Grade"),
        quick_respondents=_("Quick ratings"),
        quick_mean=_("Mean quick rating (1-4)"),
        all_counters=_("All counters"),
        elements={item.code: item.name_id if locale == "id" else item.name_en for item in ELEMENTS},
        qualities={
            grade.letter: grade.quality_id if locale == "id" else grade.quality_en
            for grade in GRADES
        },
        profile={
            field.value: {value: profile_option(field, value) for value in values}
            for field, values in PROFILE_OPTIONS.items()
        },
    )
