"""``lstmkit demo`` and ``lstmkit run APP``: one subcommand per registered app.

An app's options are built from its own declaration (:mod:`lstmkit.apps.framework`);
nothing here knows any app by name. Every app also takes ``--out`` (its run folder)
and ``--num-threads`` (the torch and BLAS threads it runs with).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

# importing the registry loads neither the app modules nor torch
from lstmkit.apps import AppOption, app_options, get_app, list_apps, run_app
from lstmkit.cli._base import TYPER_SETTINGS, app, fail
from lstmkit.cli._paths import check_model_targets, check_run_folder

__all__ = ["demo"]

NUM_THREADS_HELP = (
    "CPU threads (torch and BLAS) the app runs with; default: the app's own choice "
    "(1 for most apps, which also suits a busy 2-core machine)."
)


@app.command()
def demo(out: Path = typer.Option(Path("runs/demo"), help="Run folder to write.")) -> None:
    """A quick forecasting demo: metrics and plots in a run folder.

    Forecasts MATLAB-style waveforms and a real series (the forecasting app's quick mode).
    """
    check_run_folder(out)
    check_model_targets(out)

    typer.echo(f"lstmkit demo: time-series forecasting (quick mode) -> {out}")
    run_app("forecasting", out, quick=True)
    typer.echo(f"\nRun folder: {out.resolve()} (metrics.json, PNG plots, saved models)")


def _typer_option(declared: AppOption) -> typer.models.OptionInfo:
    """The typer option of one declared app option (a bool is a flag)."""
    names = [declared.flag]
    if declared.type is bool and declared.default is True:
        names = [f"{declared.flag}/--no-{declared.flag[2:]}"]
    checks = {"exists": True, "dir_okay": False} if declared.existing_file else {}
    return typer.Option(*names, help=declared.help, **checks)


def _own_options(
    name: str, declared: list[AppOption]
) -> dict[str, tuple[type, typer.models.OptionInfo]]:
    """``--out`` and ``--num-threads``, which every app gets (unless it declares its own)."""
    names = {o.name for o in declared}
    extra = {"out": (Path, typer.Option("--out", help=f"Run folder (default runs/{name})."))}
    if "num_threads" not in names:
        threads = typer.Option("--num-threads", min=1, help=NUM_THREADS_HELP)
        extra["num_threads"] = (int, threads)
    return extra


def _app_command(name: str) -> TyperCommand:
    """``lstmkit run NAME``, built from the app's declaration (imports the app module)."""
    spec = get_app(name)
    declared = app_options(spec.options)
    own = _own_options(name, declared)

    def main(**values: Any) -> None:
        out = values.pop("out") or Path("runs") / name
        threads = values.pop("num_threads") if "num_threads" in own else None
        check_run_folder(out)
        check_model_targets(out)
        run_app(name, out, num_threads=threads, **values)
        typer.echo(f"\nRun folder: {out.resolve()}")

    def parameter(option_name: str, kind: type, default: Any, info: Any) -> inspect.Parameter:
        annotation = Annotated[kind if default is not None else kind | None, info]
        return inspect.Parameter(option_name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                 annotation=annotation)  # fmt: skip

    parameters = [parameter(o.name, o.type, o.default, _typer_option(o)) for o in declared]
    parameters += [parameter(n, kind, None, info) for n, (kind, info) in own.items()]
    main.__signature__ = inspect.Signature(parameters)  # what typer reads the options from
    single = typer.Typer(**TYPER_SETTINGS)
    single.command(name=name, help=spec.description)(main)
    return typer.main.get_command(single)


class _AppCommand(TyperCommand):
    """One app's command. Its options are built from the app's declaration only when
    needed (its help, or a run), so ``lstmkit run --help`` lists every app without
    importing one; a mistake in them is said in one line."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(name, help=description, rich_markup_mode=None,
                         context_settings=TYPER_SETTINGS["context_settings"])  # fmt: skip
        self._built = False

    def get_params(self, ctx: typer.Context) -> list:
        if not self._built:
            built = _app_command(self.name)
            self.params, self.callback, self._built = built.params, built.callback, True
        return super().get_params(ctx)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except Exception as error:
            # click's usage errors (an unknown option, a bad value) exit with 2;
            # anything else (--help exits with 0) passes through unchanged
            if getattr(error, "exit_code", None) != 2 or not hasattr(error, "format_message"):
                raise
            declared = app_options(get_app(self.name).options)
            flags = [o.flag for o in declared]
            flags += [f"--{n.replace('_', '-')}" for n in _own_options(self.name, declared)]
            unknown = getattr(error, "option_name", None)
            if unknown and unknown not in flags:
                fail(f"{self.name} has no option {unknown}; its options: {', '.join(flags)}")
            fail(error.format_message())


class _AppsGroup(TyperGroup):
    """``lstmkit run``: one subcommand per registered app, in registration order."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return [spec.name for spec in list_apps()]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> TyperCommand | None:
        spec = next((s for s in list_apps() if s.name == cmd_name), None)
        return None if spec is None else _AppCommand(spec.name, spec.description)

    def resolve_command(self, ctx: typer.Context, args: list[str]):
        if args and not args[0].startswith("-") and args[0] not in self.list_commands(ctx):
            fail(f"unknown app {args[0]!r}; choose one of {', '.join(self.list_commands(ctx))}")
        return super().resolve_command(ctx, args)


app.add_typer(
    typer.Typer(
        cls=_AppsGroup, no_args_is_help=True, **TYPER_SETTINGS,
        help="Run one of the applications end to end and write its run folder "
        "(`lstmkit run APP --help`: its options).",
    ),
    name="run",
    short_help="Run an application end to end (`lstmkit run APP --help`).",
)  # fmt: skip
