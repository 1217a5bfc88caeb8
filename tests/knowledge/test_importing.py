from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.knowledge_file import KnowledgeFileError, load_knowledge_file, parse_knowledge
from knowledge.service import ClaimService

from .conftest import COMMUNITY, SEED_FILE

SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")


def test_first_run_loads_the_seed_once(service: ClaimService) -> None:
    kb = service.knowledge(COMMUNITY)
    assert len(kb.claims) == len(load_knowledge_file(SEED_FILE).claims)
    assert service.ensure_seeded(COMMUNITY) is None  # not empty any more: nothing loaded again


def test_reimport_changes_nothing(service: ClaimService) -> None:
    seq = service.store.last_seq(COMMUNITY)
    plan = service.import_file(COMMUNITY, SEED_FILE, actor="mod")
    assert plan.empty and plan.unchanged == len(list(load_knowledge_file(SEED_FILE).records()))
    assert service.store.last_seq(COMMUNITY) == seq  # no history entry, no duplicate


def test_export_then_import_round_trip(service: ClaimService, tmp_path: Path) -> None:
    exported = service.export(COMMUNITY)
    path = tmp_path / "export.yaml"
    path.write_text(exported, encoding="utf-8")
    assert service.import_file(COMMUNITY, path, actor="mod").empty
    # Into another community: the same base, the same export.
    service.import_file("other", path, actor="mod")
    assert service.export("other") == exported


def test_import_updates_what_changed_and_keeps_the_rest(service: ClaimService) -> None:
    edited = SEED_TEXT.replace("statement: 70 attackers were killed.", "statement: Over 70 attackers were killed.")
    edited = edited.replace("{wording: 70 attackers were killed, value: 70,", "{wording: over 70, more_than: 70,")
    plan = service.plan_file_import(COMMUNITY, parse_knowledge(edited, name="edited.yaml"))
    assert [(c.action, c.id, c.fields) for c in plan.changes] == [
        ("update", "russia-70-attackers-killed", ("statement", "figure"))
    ]
    service.import_knowledge(COMMUNITY, parse_knowledge(edited), actor="mod-7")
    claim = service.knowledge(COMMUNITY).claims["russia-70-attackers-killed"]
    assert claim.statement == "Over 70 attackers were killed."
    assert claim.figure is not None and claim.figure.more_than == 70 and claim.figure.value is None
    (entry,) = service.store.history(COMMUNITY, record_id=claim.id)[1:]
    assert entry.actor == "mod-7"


def test_a_bad_file_changes_nothing(service: ClaimService, tmp_path: Path) -> None:
    before = service.export(COMMUNITY)
    seq = service.store.last_seq(COMMUNITY)
    bad = SEED_TEXT.replace("statement: 70 attackers were killed.", "statement: Over 70.")  # a good edit …
    bad = bad.replace("status: confirmed", "status: sure")  # … and a bad one
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(KnowledgeFileError, match=r"bad.yaml:\d+: .*status"):
        service.import_file(COMMUNITY, path, actor="mod")
    assert service.export(COMMUNITY) == before and service.store.last_seq(COMMUNITY) == seq
