"""The `opgaveudvalg` command, assembled from one sub-app per stage. Prefect is imported only
inside the commands that need it, which first point it at our settings
(`orchestration.use_prefect`)."""

import sys

import typer

from opgaveudvalg.cli import (
    admin,
    delivery,
    mail,
    mandate,
    meetings,
    members,
    person,
    recruitment,
    retention,
    selection,
    web,
)
from opgaveudvalg.errors import UserError
from opgaveudvalg.settings import get_settings

app = typer.Typer(
    help="Opgaveudvalg: kommissorium, rekruttering, udvælgelse, møder og aflevering.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Commands without a group, in the lifecycle's order: validate, launch, approve, appoint, …
app.add_typer(mandate.commands)
app.add_typer(members.commands)
app.add_typer(admin.commands)
app.add_typer(web.commands)
app.add_typer(retention.commands)
app.add_typer(meetings.meetings_app, name="meetings")
app.add_typer(delivery.recommendations_app, name="recommendations")
app.add_typer(mail.outbox_app, name="outbox")
app.add_typer(selection.selection_app, name="selection")
app.add_typer(members.members_app, name="members")
app.add_typer(mandate.targets_app, name="targets")
app.add_typer(recruitment.applications_app, name="applications")
app.add_typer(recruitment.recruitment_app, name="recruitment")
app.add_typer(mandate.mandate_app, name="mandate")
app.add_typer(admin.db_app, name="db")
app.add_typer(person.person_app, name="person")


def main() -> None:
    try:
        get_settings()
        app()
    except UserError as exc:
        typer.echo(f"fejl: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
