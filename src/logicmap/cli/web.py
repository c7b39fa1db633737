"""``logicmap serve`` (the web app) and ``logicmap user add`` (accounts for it)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from logicmap.cli.common import ProjectOption, fail, open_review, out

user_app = typer.Typer(help="Accounts of the web app (`logicmap serve`).", no_args_is_help=True)


def register(parent: typer.Typer) -> None:
    """Add ``serve`` and the ``user`` group to ``parent``."""
    parent.command()(serve)
    parent.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The user name to sign in with (one word).")],
    project: ProjectOption,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input "
                                                  "(the only way: it never appears in the shell history).")] = False,
    admin: Annotated[bool, typer.Option("--admin", help="Make the account an admin: the project's owner.")] = False,
    role: Annotated[str, typer.Option("--role", help="Role in the project: owner, reviewer or viewer.")] = "reviewer",
) -> None:
    """Create a web account; the first admin is made this way.

    Example: printf '%s' "$PASSWORD" | logicmap user add alice --admin --password-stdin -p review.db
    """
    if not password_stdin:
        fail("pass the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    with open_review(project) as review:
        account = review.accounts.add(name, password, admin=admin, role=role)
    out.print(f"Added user {account.name} ({account.role or 'no role'}{', admin' if account.is_admin else ''}).")


def serve(
    project: ProjectOption,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    https: Annotated[bool, typer.Option("--https/--no-https", help="Mark the session cookie Secure (set this "
                                        "behind an HTTPS proxy).")] = False,
    features: Annotated[str, typer.Option("--features", help="Screening features, as `logicmap simulate "
                                          "--features` (auto: with sentence embeddings when installed).")] = "auto",
    classifier: Annotated[str, typer.Option("--classifier", help="Screening classifier, as `logicmap simulate "
                                            "--classifier`.")] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the screening model's random choices.")] = 0,
    warm_model: Annotated[bool, typer.Option("--warm-model/--no-warm-model", help="Build the model page's views "
                                             "at start, in a lowest-priority thread.")] = True,
) -> None:
    """Serve the web app for the project (sign in with an account from `logicmap user add`).

    Example: logicmap serve -p review.db --port 8000
    """
    import uvicorn

    from logicmap.web import create_app

    with open_review(project) as review:  # refuse a missing project before listening
        users = len(review.accounts.users())
    if not users:
        out.print("No accounts yet: add one with `logicmap user add NAME --admin --password-stdin -p PROJECT`.")
    out.print(f"Serving {project} on http://{host}:{port}/ (Ctrl+C stops).")
    options = {"features": features, "classifier": classifier, "seed": seed}
    uvicorn.run(create_app(project, https=https, service_options=options, warm_model=warm_model), host=host, port=port,
                log_level="warning")
