"""`claude-carthing config path|show|set`."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from claude_carthing import paths
from claude_carthing.cli.exit import run_friendly
from claude_carthing.cli.options import typer_app
from claude_carthing.settings import load_settings, set_setting, stored_form, unset_setting
from claude_carthing.upstream import credentials
from claude_carthing.upstream.credentials import CredentialsError

config_app = typer_app(help="Show or change settings.", no_args_is_help=True)


def credential_summary() -> dict[str, Any]:
    """Describe which credentials exist, without revealing any of them."""
    from claude_carthing.claude_code.locate import find_claude

    summary: dict[str, Any] = {}
    claude = find_claude(load_settings().claude_path)
    summary["claude_code"] = (f"`claude` at {claude} (asked for usage with --source auto or "
                              f"claude-code)" if claude else "no `claude` command found")
    try:
        oauth = credentials.read_oauth()
    except CredentialsError as exc:
        summary["oauth"] = f"unreadable: {exc}"
    else:
        if oauth is None:
            summary["oauth"] = "no Claude Code login found"
        else:
            state = "expired" if oauth.expired() else "valid"
            summary["oauth"] = f"Claude Code login ({state}) in {credentials.oauth_file()}"
    try:
        web = credentials.read_web()
    except CredentialsError as exc:
        summary["web"] = f"unreadable: {exc}"
    else:
        summary["web"] = (
            f"session key stored ({web.where}), org {web.org_id or 'not yet known'}"
            if web else "no session key (run `claude-carthing login`)"
        )
    return summary


@config_app.command("path")
def config_path() -> None:
    """Print the home folder that holds config, secrets and history."""
    typer.echo(str(paths.home_dir()))


ShowSecrets = Annotated[
    bool, typer.Option("--show-secrets", help="Show the hook's arguments too (they may hold a "
                       "webhook id or a token).")]


@config_app.command("show")
def config_show(show_secrets: ShowSecrets = False) -> None:
    """Print the effective settings and which credentials exist (never their values)."""

    def body() -> None:
        settings = load_settings()
        data = {"home": str(paths.home_dir()), "settings": settings.public_dict(show_secrets),
                "notes": settings.notes(), "credentials": credential_summary()}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))

    run_friendly(body)


# A value such as `-1` must reach the validator, which says what is wrong with it, instead of
# being taken for an unknown option.
@config_app.command("set", context_settings={"ignore_unknown_options": True})
def config_set(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A setting (see `config show`).")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="Its new value.")],
) -> None:
    """Store one setting (its names are in `config show`).

    For example `config set interval 600`, or `config set allow 192.168.1.0/24`.
    """

    def body() -> None:
        settings, remarks = set_setting(name, value)
        # The value just typed is shown in full (a hook as the list that will run).
        typer.echo(f"{name} = {json.dumps(stored_form(name, getattr(settings, name)))}")
        for line in remarks:
            typer.echo(line, err=line.startswith("warning"))

    run_friendly(body)


@config_app.command("unset")
def config_unset(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A line of the config file.")],
) -> None:
    """Remove one setting from the config file, so its default applies again."""

    def body() -> None:
        found, warnings = unset_setting(name)
        if found:
            typer.echo(f"{name} removed from {paths.config_file()}")
        else:
            typer.echo(f"{name} is not in {paths.config_file()}; nothing to do")
        for line in warnings:
            typer.echo(line, err=True)

    run_friendly(body)


def register(app: typer.Typer) -> None:
    """Add the `config` group."""
    app.add_typer(config_app, name="config")
