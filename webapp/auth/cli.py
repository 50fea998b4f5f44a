"""flask create-user: create or update a staff account (contract's command line)."""

import click
from flask.cli import with_appcontext

from webapp.addresses import AddressRefused
from webapp.auth.accounts import AccountRefused, save_account
from webapp.auth.states import AccountRole
from webapp.unit_of_work import unit_of_work

REASONS = {
    "too-short": "the password needs at least 12 characters",
    "too-common": "the password is too common (or is the address itself)",
    "unknown-bassin": "unknown bassin slug",
    "bassin-needed": "a bassin account needs at least one --bassin",
    "organisation-needed": "a service account needs --organisation",
}


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in AccountRole]))
@click.option("--bassin", "bassins", multiple=True, help="A bassin slug (repeatable).")
@click.option("--organisation", default=None, help="The service's organisation name.")
def create_user(email, password, role, bassins, organisation):
    """Create a staff account, or update its password, role and reach."""
    try:
        with unit_of_work("create-user"):
            account = save_account(email, password, role, bassins, organisation)
            account_id, role_name = account.id, account.role
    except AccountRefused as refused:
        raise click.ClickException(REASONS[refused.reason]) from None
    except AddressRefused:
        raise click.ClickException("not a usable email address") from None
    click.echo(f"account {account_id}: {role_name}")


def register_commands(app):
    """Add this module's commands to `flask`."""
    app.cli.add_command(create_user)
