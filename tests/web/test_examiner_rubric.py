"""The scoring page shows the rubric of the performance's task type: that task type's band
descriptors (issue [11] item 6), the pronunciation note on intelligibility, and the CEFR
Companion Volume (2020) scales each criterion is drawn from."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from attest.assessment import rubrics
from attest.models import Performance, RatingAssignment, Role
from tests.examiner_world import finished_session, make_examiners
from tests.factories import load_demo_bank, make_centre, make_user
from tests.web.helpers import login

OTHER = {"monologue": "dialogue", "dialogue": "monologue"}
OTHER |= {"functional": "argumentative", "argumentative": "functional"}


@pytest.fixture
def world(app, db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    make_examiners(db, centre, admin, now, n=2, seniors=1)
    finished_session(db, centre, proctor, app.config["STORAGE_DIR"], now, speaking=1, writing=1)
    db.commit()


def _score_page(app, db, perf: Performance) -> str:
    assignment = db.scalar(
        sa.select(RatingAssignment).where(RatingAssignment.performance_id == perf.id)
    )
    client = app.test_client()
    login(client, assignment.examiner.username)
    response = client.get(f"/examiner/score/{assignment.token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "skill, task_type",
    [
        ("speaking", "monologue"),
        ("speaking", "dialogue"),
        ("writing", "functional"),
        ("writing", "argumentative"),
    ],
)
def test_the_score_page_shows_the_descriptors_and_sources_of_the_task_type(
    app, db, world, skill, task_type
):
    perf = db.scalar(sa.select(Performance).where(Performance.skill == skill))
    perf.task_type = task_type  # the rubric follows the performance's task type
    db.commit()
    page = _score_page(app, db, perf)
    rubric = rubrics.rubric_for(skill, task_type, perf.task_level)
    assert f"{escape(rubric.task_type_label)}" in page
    fields = re.findall(r'name="band_(\w+)"', page)
    assert list(dict.fromkeys(fields)) == list(rubric.codes)
    for criterion in rubric.criteria:
        for descriptor in criterion.descriptors:
            assert f'<span class="descriptor">{escape(descriptor)}</span>' in page, descriptor
        assert f"{escape(criterion.source.citation)}</p>" in page, criterion.code
    assert page.count('data-testid="criterion-source"') == len(rubric.criteria)
    assert rubric.criteria[0].source.url in page
    other = rubrics.rubric_for(skill, OTHER[task_type], perf.task_level)
    own = rubric.criteria[0].descriptors
    for band, descriptor in enumerate(other.criteria[0].descriptors):  # task completion
        if descriptor != own[band]:
            assert f">{escape(descriptor)}<" not in page, descriptor
    if skill == "speaking":
        note = next(c.note for c in rubric.criteria if c.code == "pronunciation")
        assert "verstaanbaar" in note and escape(note) in page
        assert ("band_interaction" in page) is (task_type == "dialogue")
    else:
        assert "verstaanbaar" not in page  # no speaking rubric on a writing page
