"""Monitoring reports for admins: charts, tables and CSV downloads (no personal data)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template
from flask_babel import lazy_gettext as _l

from attest.admin.report_queries import monitoring_tables
from attest.auth import roles_required
from attest.charts import bar_chart
from attest.models import Role
from attest.request_session import db_session

# Nested in the admin blueprint: /admin/reports/..., endpoints admin.reports.*
bp = Blueprint("reports", __name__, url_prefix="/reports")
REPORT_ROLES = (Role.ADMIN,)

TITLES = {
    "people_per_month": _l("Geteste personen per maand"),
    "tests": _l("Geteste personen per maand, centrum en testdoel"),
    "levels_by_purpose": _l("Bereikt niveau per vaardigheid en testdoel"),
    "levels_by_centre": _l("Bereikt niveau per vaardigheid en centrum"),
    "levels_by_month": _l("Bereikt niveau per vaardigheid en maand"),
    "profiles": _l("Aandeel dat aan elk vereistenprofiel voldoet"),
    "profiles_by_month": _l("Aandeel dat aan elk vereistenprofiel voldoet, per maand"),
    "time_to_attestation": _l("Tijd van test tot attest (dagen)"),
    "examiner_backlog": _l("Wachtrij van de examinatoren (vaardigheden zonder score)"),
}
COLUMNS = {
    "month": _l("Maand"),
    "centre": _l("Centrum"),
    "purpose": _l("Testdoel"),
    "people": _l("Personen"),
    "skill": _l("Vaardigheid"),
    "total": _l("Totaal"),
    "profile": _l("Vereistenprofiel"),
    "meeting": _l("Voldoet"),
    "percent": _l("Procent"),
    "attestations": _l("Attesten"),
    "median_days": _l("Mediaan (dagen)"),
    "p90_days": _l("90e percentiel (dagen)"),
    "waiting": _l("Wachtend"),
    "oldest_days": _l("Oudste (dagen)"),
}


def _tables():
    return monitoring_tables(db_session(), datetime.now(UTC).date())


@bp.route("/")
@roles_required(*REPORT_ROLES)
def index():
    tables = _tables()
    charts = {
        "people_per_month": bar_chart([(r[0], r[1]) for r in tables["people_per_month"].rows]),
        "profiles": bar_chart(
            [(r[0], r[3]) for r in tables["profiles"].rows], y_max=100.0, unit="%"
        ),
        "time_to_attestation": bar_chart(
            [(r[0], r[2]) for r in tables["time_to_attestation"].rows]
        ),
    }
    return render_template(
        "admin/reports.html", tables=tables, charts=charts, titles=TITLES, columns=COLUMNS
    )


@bp.route("/<name>.csv")
@roles_required(*REPORT_ROLES)
def csv_download(name: str):
    table = _tables().get(name) or abort(404)
    out = io.StringIO()
    csv.writer(out).writerows(table.csv_rows())
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="attest-{name}.csv"'},
    )
