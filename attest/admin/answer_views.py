"""Answers as shown: a session's items with the options in the order the candidate saw them,
the candidate's answer and the key, for an appeal or a review (admins only)."""

from __future__ import annotations

import json

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, render_template

from attest.assessment.formats import get_format
from attest.assessment.shuffle import apply_order
from attest.auth import roles_required
from attest.models import Role, SessionItem, TestSession
from attest.request_session import db_session

# Nested in the admin blueprint: /admin/sessions/..., endpoints admin.answers.*
bp = Blueprint("answers", __name__, url_prefix="/sessions")


@bp.route("/<int:session_id>/answers")
@roles_required(Role.ADMIN)
def shown(session_id: int):
    ts = db_session().get(TestSession, session_id) or abort(404)
    items = db_session().scalars(
        sa.select(SessionItem)
        .where(SessionItem.session_id == ts.id)
        .order_by(SessionItem.position)
        .options(so.joinedload(SessionItem.item_version), so.joinedload(SessionItem.response))
    )
    rows = []
    for item in items:
        version = item.item_version
        data = apply_order(
            get_format(version.format).render_data(version.content), item.display_order
        )
        rows.append(
            {
                "sitem": item,
                "data": data,
                "previous": item.response.value.get("v") if item.response else None,
                "key": _key(version.content, data),
            }
        )
    return render_template("admin/answers.html", ts=ts, rows=rows)


def _key(content: dict, data: dict) -> str:
    """Return the key as the reviewer reads it: shown letter and text of each keyed option."""
    answer = content.get("answer")
    if isinstance(answer, (str, list)) and isinstance(data.get("options"), list):
        keys = [answer] if isinstance(answer, str) else answer
        return "; ".join(
            f"{o['label'].upper()} ({o['id']}): {o.get('text', o.get('image', ''))}"
            for o in data["options"]
            if o["id"] in keys
        )
    fields = {k: content[k] for k in ("answer", "prompts", "gaps") if k in content}
    return json.dumps(fields, ensure_ascii=False)
