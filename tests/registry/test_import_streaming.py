"""The streamed import: a list read twice from its file and written in chunks, still all
or nothing; repeated rows, children before parents, Chinese kind labels."""
import base64
import csv

import pytest
from sqlalchemy import func, select

from fazhi_common.outbox import OutboxEvent
from registry import cli, importing, office_files
from registry.models import Community, County, Town
from registry.service import RegistryService
from tests.helpers import wait_until

R = "/api/v1/registry"

HEADER = "统计用区划代码,名称,类型,城乡分类代码\r\n"
# a village before its town, the town before its county; a repeated row; padded names
QUIRKY = HEADER + ("330110001201,大陆村,村委会,220\r\n"
                   "330110001000, 良渚街道\u3000,街道,\r\n"
                   "330110000000,余杭区,市辖区,\r\n"
                   "\r\n"
                   "330110001001,良渚社区,居委会,111\r\n"
                   "330110001201,大陆村,村委会,220\r\n"
                   "330110002000,瓶窑镇,镇,\r\n"
                   "330110002001,瓶窑社区,社区,121\r\n")


def _count(sessions, model, *where):
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_quirky_gbk_list_imports_each_unit_once(registry_config, tmp_path, capsys):
    config, sessions = registry_config
    source = tmp_path / "名单.csv"
    source.write_bytes(QUIRKY.encode("gbk"))
    assert cli.main(["--config", config, "import", str(source)]) == 0
    out, err = capsys.readouterr()
    assert "6 created" in out
    assert "line 7 (330110001201) code: repeats line 2; imported once" in err
    with sessions() as session:
        kinds = dict(session.execute(select(Community.code, Community.kind)).all())
        town = session.get(Town, "330110001000")
        assert (town.name, town.kind) == ("良渚街道", "street")
        assert session.get(County, "330110000000").kind == "district"
        events = sorted(session.scalars(select(OutboxEvent.event_type)))
    assert kinds == {"330110001201": "village", "330110001001": "urban_community",
                     "330110002001": "urban_community"}
    assert events == ["community_registered"] * 3 + ["county_registered"] + \
        ["town_registered"] * 2


def test_a_code_twice_with_different_names_is_an_error_and_nothing_is_written(
        registry_config, tmp_path, capsys):
    config, sessions = registry_config
    source = tmp_path / "units.csv"
    source.write_bytes((QUIRKY + "330110001001,另一个社区,社区,111\r\n").encode("gbk"))
    report = tmp_path / "report.csv"
    assert cli.main(["--config", config, "import", str(source), "--errors", str(report)]) == 1
    assert "1 of 8 rows are invalid" in capsys.readouterr().out
    with report.open(encoding="utf-8-sig") as stream:
        [row] = list(csv.DictReader(stream))
    assert (row["line"], row["code"], row["field"]) == ("10", "330110001001", "code")
    assert "line 6" in row["problem"]
    assert _count(sessions, County) == 0 and _count(sessions, OutboxEvent) == 0


def test_an_orphan_anywhere_in_the_list_fails_it(registry_config, tmp_path, capsys):
    config, sessions = registry_config
    source = tmp_path / "units.csv"
    # the orphan's town is nowhere; a town whose county comes after it is fine
    source.write_bytes((HEADER + "330110003000,仁和街道,街道,\r\n"
                        "330110009001,无主社区,社区,111\r\n"
                        "330110000000,余杭区,市辖区,\r\n").encode("gbk"))
    report = tmp_path / "report.csv"
    assert cli.main(["--config", config, "import", str(source), "--errors", str(report)]) == 1
    with report.open(encoding="utf-8-sig") as stream:
        [row] = list(csv.DictReader(stream))
    assert (row["line"], row["field"]) == ("3", "code") and "330110009000" in row["problem"]
    assert _count(sessions, Town) == 0


def test_chunks_of_a_long_list_create_update_and_leave_alone(registry_config, tmp_path, capsys,
                                                            monkeypatch):
    """Chunk boundaries fall anywhere: a re-import with changes updates exactly those."""
    monkeypatch.setattr(importing, "CHUNK", 7)
    config, sessions = registry_config
    villages = [f"330110001{n:03d},村{n},村委会,220\r\n" for n in range(200, 260)]
    first = HEADER + "330110000000,余杭区,市辖区,\r\n330110001000,良渚街道,街道,\r\n"
    source = tmp_path / "units.csv"
    source.write_bytes((first + "".join(villages)).encode("gbk"))
    assert cli.main(["--config", config, "import", str(source)]) == 0
    assert "62 created" in capsys.readouterr().out
    assert _count(sessions, Community) == 60

    villages[10] = "330110001210,新村,村委会,220\r\n"
    villages[33] = "330110001233,村233,村委会,210\r\n"
    source.write_bytes((first + "".join(villages)
                        + "330110001300,末村,村委会,220\r\n").encode("gbk"))
    assert cli.main(["--config", config, "import", str(source)]) == 0
    assert "1 created, 2 updated, 60 unchanged" in capsys.readouterr().out
    with sessions() as session:
        assert session.get(Community, "330110001210").name == "新村"
        assert session.get(Community, "330110001233").urban_rural_code == "210"
    assert _count(sessions, OutboxEvent, OutboxEvent.event_type == "community_updated") == 2
    assert _count(sessions, OutboxEvent, OutboxEvent.event_type == "community_registered") \
        == 61


def test_file_rows_read_the_file_afresh_each_time(tmp_path):
    source = tmp_path / "units.csv"
    source.write_bytes(QUIRKY.encode("gbk"))
    rows = office_files.FileRows(source.name, path=source)
    assert [r["line"] for r in rows] == [r["line"] for r in rows] == [2, 3, 4, 6, 7, 8, 9]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(office_files.ValidationFailed):
        office_files.FileRows(empty.name, path=empty)


def _upload(text):
    return {"filename": "名单.csv", "content_base64": base64.b64encode(text.encode("gbk")).decode()}


def _finished(gateway, location):
    def poll():
        job = gateway.get(location).json
        return job if job["status"] in ("done", "failed") else None
    return wait_until(poll, timeout=60, interval=0.2)


def test_a_long_list_through_the_gateway_is_a_job_answered_at_once(
        container_factory, service_config, gateway):
    container = container_factory(RegistryService, service_config(
        "registry", IMPORT_INLINE_ROWS=3, JOB_POLL_SECONDS=0.1))
    container.start()
    wrong = gateway.post(f"{R}/imports", json=_upload(
        QUIRKY + "330110001001,另一个社区,社区,111\r\n"))
    assert wrong.status_code == 202, wrong.json
    job = _finished(gateway, wrong.headers["Location"])
    assert job["status"] == "done" and job["result"]["failed"] == 1
    assert job["result"]["errors"][0]["line"] == 10
    assert gateway.get(f"{R}/counties").json["total"] == 0  # all or nothing

    accepted = gateway.post(f"{R}/imports", json=_upload(QUIRKY))
    assert accepted.status_code == 202 and accepted.json["job"]["status"] == "queued"
    job = _finished(gateway, accepted.headers["Location"])
    assert (job["status"], job["done"], job["total"]) == ("done", 7, 7)
    assert (job["result"]["created"], job["result"]["failed"]) == (6, 0)
    assert job["result"]["warnings"][0]["line"] == 7
    assert gateway.get(f"{R}/communities/330110001201").json["kind"] == "village"

    # a town officer's list may not reach beyond the town: each such row is reported
    officer = gateway.as_role("civil_affairs_officer", "330110002000")
    outside = officer.post(f"{R}/imports", json=_upload(
        HEADER + "330110002002,新社区,社区,111\r\n330110001002,别处社区,社区,111\r\n"
        "330110002003,又一社区,社区,111\r\n330110002201,新村,村委会,220\r\n"))
    assert outside.status_code == 202, outside.json
    job = _finished(officer, outside.headers["Location"])
    assert [e["line"] for e in job["result"]["errors"]] == [3]
    assert job["result"]["errors"][0]["fields"]["code"] == ["outside your area"]
    assert gateway.get(f"{R}/communities/330110002002").status_code == 404
