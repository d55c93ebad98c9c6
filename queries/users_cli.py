"""``minqing users``: add, list, disable, enable users; set a role or a password."""

from __future__ import annotations

import json

import click

from graph.cli import FriendlyGroup, pass_app
from queries import users as lib
from queries.store import connect


@click.group(cls=FriendlyGroup)
def users():
    """Manage web users (`users add admin --role admin` creates the first admin)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(lib.ROLES), required=True, help="The user's role.")
@click.option("--area", "areas", multiple=True,
              help="Residential area id an official looks after (repeat for several).")
@click.option("--password-file", type=click.File("r", encoding="utf-8"),
              help="Read the password from this file's first line instead of a prompt.")
@pass_app
def add(app, name, role, areas, password_file):
    """Create a user; the password is prompted for (or read from --password-file)."""
    from queries import audit

    password = _password(password_file, "Password")
    conn = connect(app.settings)
    try:
        user = lib.add_user(conn, name, password, role, areas)
        audit.record(conn, "cli", "user_add", f"user:{user.name}", role=user.role,
                     areas=list(user.areas))
    finally:
        conn.close()
    where = f" for areas {', '.join(user.areas)}" if user.areas else ""
    click.echo(f"User {user.name} created ({user.role}{where}).")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_(app, as_json):
    """List users with their role, areas and whether they are active."""
    conn = connect(app.settings)
    try:
        rows = lib.list_users(conn)
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps([u.to_json() for u in rows], ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("No users yet; create the first admin: minqing users add admin --role admin")
    for user in rows:
        click.echo(f"{user.name:<20} {user.role:<9} {'active' if user.active else 'disabled':<9}"
                   f" {','.join(user.areas)}")


def _set_active(app, name: str, active: bool) -> None:
    from queries import audit

    conn = connect(app.settings)
    try:
        lib.set_active(conn, name, active)
        audit.record(conn, "cli", "user_enable" if active else "user_disable", f"user:{name}")
    finally:
        conn.close()
    click.echo(f"User {name} {'enabled' if active else 'disabled'}.")


@users.command("disable")
@click.argument("name")
@pass_app
def disable(app, name):
    """Disable a user: they cannot log in, and an open session ends at its next request."""
    _set_active(app, name, False)


@users.command("enable")
@click.argument("name")
@pass_app
def enable(app, name):
    """Enable a disabled user again."""
    _set_active(app, name, True)


def _password(password_file, prompt: str) -> str:
    """The password from ``--password-file``'s first line, else asked for twice."""
    if password_file is not None:
        return password_file.readline().rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


@users.command("set-role")
@click.argument("name")
@click.option("--role", type=click.Choice(lib.ROLES), required=True, help="The new role.")
@click.option("--area", "areas", multiple=True,
              help="Residential area id an official looks after (repeat for several).")
@pass_app
def set_role(app, name, role, areas):
    """Give a user another role (and areas, for an official)."""
    from queries import audit

    conn = connect(app.settings)
    try:
        user = lib.set_role(conn, name, role, areas)
        audit.record(conn, "cli", "user_role", f"user:{name}", role=user.role,
                     areas=list(user.areas))
    finally:
        conn.close()
    click.echo(f"User {name} is now {user.role}"
               f"{' for areas ' + ', '.join(user.areas) if user.areas else ''}.")


@users.command("set-password")
@click.argument("name")
@click.option("--password-file", type=click.File("r", encoding="utf-8"),
              help="Read the password from this file's first line instead of a prompt.")
@pass_app
def set_password(app, name, password_file):
    """Set a new password for a user."""
    from queries import audit

    password = _password(password_file, "New password")
    conn = connect(app.settings)
    try:
        lib.set_password(conn, name, password)
        audit.record(conn, "cli", "user_password", f"user:{name}")
    finally:
        conn.close()
    click.echo(f"Password of {name} changed.")
