"""The survey's operator commands as an operator runs them: import-counters, qr and ikm."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path

import numpy as np
import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli import QR_INSTRUCTION
from bot.config import Settings
from storage.models import ServiceCounter
from tests.factories import seed_org
from tests.fake_telegram import TOKEN, FakeTelegramServer
from tests.harness import Fetch
from tests.skm_data import Q4_END, Q4_START, seed_survey
from tests.test_cli import kinerja_bot

SVG_NS = "{http://www.w3.org/2000/svg}"
COUNTERS_CSV = """\
code,unit_code,name,service,quick
ktp-01,BKD-MUT,Loket 1,Perekaman KTP-el,
info,BKD,Meja Informasi,Informasi kepegawaian,ya
"""


def scan(png: bytes) -> list[str]:
    with Image.open(BytesIO(png)) as image:
        return [code.text for code in zxingcpp.read_barcodes(np.asarray(image.convert("L")))]


def svg_texts(svg: bytes) -> list[str | None]:
    return [text.text for text in ET.fromstring(svg).findall(f"{SVG_NS}text")]


async def test_import_counters(
    tmp_path: Path, session: AsyncSession, settings: Settings, fetch: Fetch
) -> None:
    await seed_org(session)
    env = {"DATABASE_URL": settings.database_url}
    bad = COUNTERS_CSV + "loket 3,BKD,Loket 3,KK,\n"
    (tmp_path / "loket.csv").write_text(bad)
    status, stdout, stderr = await kinerja_bot(
        "import-counters", "loket.csv", cwd=tmp_path, env=env
    )
    assert status == 1 and stdout == ""
    assert "nothing was written" in stderr and "loket.csv:4: code: 'loket 3'" in stderr
    assert await fetch(select(ServiceCounter.code)) == []

    (tmp_path / "loket.csv").write_text(COUNTERS_CSV)
    status, stdout, _ = await kinerja_bot("import-counters", "loket.csv", cwd=tmp_path, env=env)
    assert status == 0 and stdout == "counters: 2 created, 0 updated, 0 unchanged\n"
    rows = await fetch(select(ServiceCounter.code, ServiceCounter.quick))
    assert sorted(rows) == [("info", True), ("ktp-01", False)]


async def test_qr_poster_scans_back_to_the_counters_link(
    tmp_path: Path, session: AsyncSession, settings: Settings
) -> None:
    await seed_survey(session)
    env = {"DATABASE_URL": settings.database_url}
    args = ("qr", "ktp", "--out", "ktp.png", "--username", "@pemkot_bot")
    status, stdout, stderr = await kinerja_bot(*args, cwd=tmp_path, env=env)
    assert status == 0, stderr
    link = "https://t.me/pemkot_bot?start=c_ktp"
    assert stdout == f"{link} written to ktp.png\n"
    assert scan((tmp_path / "ktp.png").read_bytes()) == [link]

    status, _, _ = await kinerja_bot(
        "qr", "ktp", "--out", "ktp.svg", "--username", "pemkot_bot", cwd=tmp_path, env=env
    )
    assert status == 0
    *title, instruction = svg_texts((tmp_path / "ktp.svg").read_bytes())
    assert " ".join(map(str, title)) == "Loket ktp — Layanan ktp"  # wrapped under the code
    assert instruction == QR_INSTRUCTION

    status, stdout, stderr = await kinerja_bot(
        "qr", "nope", "--out", "x.png", "--username", "pemkot_bot", cwd=tmp_path, env=env
    )
    assert (status, stdout) == (1, "")
    assert stderr.endswith("kinerja-bot: unknown counter code: nope\n")
    assert not (tmp_path / "x.png").exists()


async def test_qr_all_asks_telegram_for_the_username(
    tmp_path: Path, session: AsyncSession, settings: Settings, telegram: FakeTelegramServer
) -> None:
    await seed_survey(session)
    env = {
        "DATABASE_URL": settings.database_url,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.url,
    }
    status, stdout, stderr = await kinerja_bot(
        "qr", "--all", "--out-dir", "posters", cwd=tmp_path, env=env
    )
    assert status == 0, stderr
    # every active counter, the other unit's too; not the retired one
    active = ["cepat", "idle", "ktp", "lain", "mutasi"]
    assert stdout == "5 counters: PNG and SVG posters written to posters\n"
    posters = tmp_path / "posters"
    assert sorted(path.name for path in posters.iterdir()) == sorted(
        f"{code}.{kind}" for code in active for kind in ("png", "svg")
    )
    for code in active:
        link = f"https://t.me/kinerja_test_bot?start=c_{code}"
        assert scan((posters / f"{code}.png").read_bytes()) == [link]
        assert svg_texts((posters / f"{code}.svg").read_bytes())[-1] == QR_INSTRUCTION


async def test_ikm_writes_the_workbook_and_a_summary(
    tmp_path: Path, session: AsyncSession, settings: Settings
) -> None:
    await seed_survey(session)
    env = {"DATABASE_URL": settings.database_url, "SKM_YEARLY_VISITORS": "100"}
    args = ("ikm", "--unit", "BKD", "--from", str(Q4_START), "--to", str(Q4_END))
    status, stdout, stderr = await kinerja_bot(*args, "--out", "ikm.xlsx", cwd=tmp_path, env=env)
    assert status == 0, stderr
    # 4 full questionnaires: converted 687.5 / 9 = 76.39, C (tests/test_survey_stats.py)
    assert stdout == (
        "BKD 2026-10-01 to 2026-12-31: 4 respondents, IKM 76.39 (C, Kurang Baik), "
        "3 quick ratings; written to ikm.xlsx\n"
    )
    data = load_workbook(tmp_path / "ikm.xlsx").worksheets[0]
    rows = [row for row in data.iter_rows(values_only=True) if row[0] is not None]
    assert rows[0][1] == "Tanggal"  # DEFAULT_LOCALE id
    assert any(row[3] == "Persyaratan" for row in rows)
    assert rows[-2][3] == 100 and rows[-1][3] == 80  # Krejcie-Morgan: 100 visitors -> 80

    for bad, expected, message in [
        (("--unit", "NOPE", "--from", "2026-10-01", "--to", "2026-12-31"), 1, "unknown unit code"),
        (("--unit", "BKD", "--from", "2026-12-31", "--to", "2026-10-01"), 1, "is after --to"),
        (("--unit", "BKD", "--from", "2026-13-01", "--to", "2026-12-31"), 2, "YYYY-MM-DD"),
    ]:
        status, _, stderr = await kinerja_bot("ikm", *bad, "--out", "x.xlsx", cwd=tmp_path, env=env)
        assert (status, message in stderr) == (expected, True), stderr
    assert not (tmp_path / "x.xlsx").exists()
