"""``logicmap serve`` (the web app) and ``logicmap user add`` (accounts for it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from logicmap.cli.common import OptionalProjectOption, ProjectOption, err, fail, open_review, out
from logicmap.cli.progress import passing_bar

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
    project: OptionalProjectOption = None,
    projects: Annotated[Optional[Path], typer.Option("--projects", help="Serve several projects: every project "
                                                     "store (*.db) in this folder (owners may make new ones there "
                                                     "from the project list), or those of a file of 'NAME "
                                                     "LOCATION' lines (SQLite paths or postgresql:// URLs).")]
    = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    https: Annotated[bool, typer.Option("--https/--no-https", help="Mark the session cookie Secure (set this "
                                        "behind an HTTPS proxy).")] = False,
    features: Annotated[str, typer.Option("--features", help="Screening features, as `logicmap simulate "
                                          "--features` (auto: with sentence embeddings up to 100,000 records)."
                                          )] = "auto",
    classifier: Annotated[str, typer.Option("--classifier", help="Screening classifier, as `logicmap simulate "
                                            "--classifier`.")] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the screening model's random choices.")] = 0,
    interim: Annotated[bool, typer.Option("--interim/--no-interim", help="While more than 1,000 titles and "
                                          "abstracts still need sentence vectors, screen on TF-IDF alone; the "
                                          "full model takes over once they are made.")] = True,
    warm_model: Annotated[bool, typer.Option("--warm-model/--no-warm-model", help="Prepare the coding suggestions "
                                             "and build the model page's views at start, in a lowest-priority thread.")] = True,
) -> None:
    """Serve the web app for the project, or for every project in a folder (sign in with an account
    from `logicmap user add`; each user sees only the projects where they have a role).

    Example: logicmap serve -p review.db --port 8000 · logicmap serve --projects reviews/ (or projects.txt)
    """
    import uvicorn

    from logicmap.web import create_app
    from logicmap.web.projects import create_hub, folder_projects, listed_projects

    if (project is None) == (projects is None):
        fail("give one project with -p PROJECT, or a folder of projects with --projects DIR")
    options = {"features": features, "classifier": classifier, "seed": seed,
               **({} if interim else {"interim_above": None})}
    if projects is not None:
        if not projects.exists():
            fail(f"{projects}: no such folder or file")
        try:
            found = folder_projects(projects) if projects.is_dir() else listed_projects(projects)
        except (ValueError, UnicodeDecodeError) as exc:
            fail(str(exc))
        users = 0
        for location in found.values():  # refuse a broken project before listening
            with open_review(location) as review:
                users += len(review.accounts.users())
        served, work = f"{len(found)} project(s) from {projects}", "screening features and first rankings " \
            "(sentence embeddings are computed once per text and kept in each project)"
    else:
        with open_review(project) as review:  # refuse a missing project before listening
            users = len(review.accounts.users())
        served, work = str(project), "screening features and the first ranking (sentence embeddings are " \
            "computed once per text and kept in the project)"
    out.print(f"Preparing {served}: {work}; the server answers once that is done or after a minute, its "
              "screening pages saying how far it has got ...", highlight=False, soft_wrap=True)
    options["progress"] = passing_bar(err, "Embedding titles and abstracts")

    def ready() -> None:
        out.print(f"Serving {served} on http://{host}:{port}/ (Ctrl+C stops).", highlight=False, soft_wrap=True)

    if projects is None:
        app = create_app(project, https=https, service_options=options, warm_model=warm_model, on_ready=ready)
    elif projects.is_dir():
        app = create_hub(folder=projects, https=https, service_options=options, on_ready=ready)
    else:
        app = create_hub(found, https=https, service_options=options, on_ready=ready)
    if not users:
        out.print("No accounts yet: add one with `logicmap user add NAME --admin --password-stdin -p PROJECT`.")
    uvicorn.run(app, host=host, port=port, log_level="warning")
