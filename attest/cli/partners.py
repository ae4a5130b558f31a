"""`attest partners photo ID --allow|--deny`: whether a partner's agreement lets the partner
API return the holder's test-day photo (off by default; /admin/partners does the same)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from attest.cli.common import transaction


@click.group("partners", help="Partner organisations of the partner API.")
def partners_group() -> None:
    pass


@partners_group.command("photo", help="Allow or deny a partner the holder's test-day photo.")
@click.argument("org_id", type=int)
@click.option("--allow/--deny", required=True, help="What the partner's agreement says.")
@with_appcontext
def partners_photo(org_id: int, allow: bool) -> None:
    from attest.certificates.partner import set_may_see_photo
    from attest.models import PartnerOrganisation

    with transaction() as session:
        org = session.get(PartnerOrganisation, org_id)
        if org is None:
            raise click.UsageError(f"no partner organisation {org_id}")
        set_may_see_photo(session, org, allow, None)
    click.echo(f"partner {org_id}: photo {'allowed' if allow else 'denied'}")
