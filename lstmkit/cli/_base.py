"""The ``lstmkit`` application object and its one error boundary.

Every failure of the command line ends the same way: one line on stderr,
``error: ...``, and exit code 2 for a usage error (a bad option value, a missing file,
a wrong folder, data that does not fit the task) or 1 for a runtime error (a model
folder that cannot be loaded, training that failed, anything unexpected). A traceback
is shown only with ``lstmkit --debug`` (or ``LSTMKIT_DEBUG=1``).

The boundary is :class:`LstmkitGroup`'s ``main``: the commands raise, it reports. A
command raises :class:`CliError` (through :func:`fail` / :func:`fail_runtime`) where it
knows better words than the exception it caught; any other ``ValueError`` or
``TypeError`` (lstmkit's "bad input" errors, which name the argument) is a usage error,
except :class:`~lstmkit.training.TrainingDivergedError` (training that diverged), and
any other exception a runtime error.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from lstmkit._version import __version__

__all__ = [
    "RUNTIME",
    "USAGE",
    "CliError",
    "LstmkitGroup",
    "app",
    "describe_error",
    "fail",
    "fail_runtime",
    "finite",
    "one_line",
    "option_errors",
    "positive",
]

USAGE, RUNTIME = 2, 1
# typer may bring its own copy of click (typer._click): its exception classes, reached
# through typer's public BadParameter
_CLICK_ERROR, _USAGE_ERROR = (
    next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)
    for name in ("ClickException", "UsageError")
)
#: The longest error line (a torch message can run to pages).
MAX_MESSAGE = 600
#: typer's settings shared by every command: click's plain help (rich's tables cut long
#: option names on an 80-column terminal), up to 100 columns wide.
TYPER_SETTINGS: dict[str, Any] = {
    "add_completion": False,
    "rich_markup_mode": None,
    "pretty_exceptions_enable": False,
    "context_settings": {"max_content_width": 100},
}


class CliError(Exception):
    """A failure the command line reports in one line, with its exit code.

    Args:
        message: what went wrong, naming the option or file.
        code: :data:`USAGE` (2) or :data:`RUNTIME` (1).
    """

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, cause: BaseException | None = None) -> NoReturn:
    """Stop with a usage error (exit code 2); ``--debug`` shows ``cause``'s traceback."""
    raise CliError(message, USAGE) from cause


def fail_runtime(message: str, cause: BaseException | None = None) -> NoReturn:
    """Stop with a runtime error (exit code 1); ``--debug`` shows ``cause``'s traceback."""
    raise CliError(message, RUNTIME) from cause


def one_line(text: str) -> str:
    """``text`` on one line (whitespace runs collapsed), at most :data:`MAX_MESSAGE` long."""
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def describe_error(error: BaseException) -> str:
    """An exception in words: lstmkit's ValueError/TypeError say it all; others get their
    type's name (``KeyError: 'params'`` says more than ``'params'``)."""
    text = one_line(str(error))
    if isinstance(error, ValueError | TypeError) and text:
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@contextmanager
def option_errors(flags: Mapping[str, str]) -> Iterator[None]:
    """Say which command-line option a parameter check refused.

    Inside the block, a ``ValueError``/``TypeError`` whose message starts with a
    parameter name of ``flags`` (e.g. ``learning_rate must be ...``) becomes a usage
    error that starts with the option (``--learning-rate: learning_rate must be ...``).

    Args:
        flags: parameter name -> command-line option.
    """
    try:
        yield
    except (ValueError, TypeError) as error:
        message = one_line(str(error))
        for name, flag in flags.items():
            if re.match(rf"{re.escape(name)}\b", message):
                raise CliError(f"{flag}: {message}", USAGE) from error
        raise


def finite(ctx: typer.Context, param: typer.CallbackParam, value: float | None) -> float | None:
    """Option callback: a float option must be a finite number (not nan or inf)."""
    if value is not None and not (-float("inf") < value < float("inf")):
        raise typer.BadParameter(f"must be a finite number; received {value}", ctx, param)
    return value


def positive(ctx: typer.Context, param: typer.CallbackParam, value: float | None) -> float | None:
    """Option callback: a float option must be a finite number > 0."""
    finite(ctx, param, value)
    if value is not None and value <= 0:
        raise typer.BadParameter(f"must be a number > 0; received {value}", ctx, param)
    return value


def _diverged(error: BaseException) -> bool:
    """Whether ``error`` is training that diverged (a ValueError, but a runtime failure).

    Looked up among the loaded modules: if the training guard was never imported, no
    training ran, and nothing torch-heavy is imported just to tell.
    """
    guards = sys.modules.get("lstmkit.training.guards")
    kind = getattr(guards, "TrainingDivergedError", None)
    return kind is not None and isinstance(error, kind)


def _say(message: str) -> None:
    typer.secho(f"error: {one_line(message)}", fg=typer.colors.RED, err=True)


class LstmkitGroup(TyperGroup):
    """The ``lstmkit`` group: its ``main`` is the command line's one error boundary."""

    #: set by ``--debug``: re-raise errors instead of reporting them in one line
    debug = False
    #: the order ``lstmkit --help`` lists the commands in (others follow)
    order = (
        "demo",
        "run",
        "datasets",
        "train",
        "tune",
        "predict",
        "forecast",
        "evaluate",
        "generate",
    )

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: self.order.index(n) if n in self.order else 99)

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        failure: BaseException | None = None
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            # click returns an Exit's code (--help, --version, typer.Exit) or the command's
            # return value (None)
            code = result if isinstance(result, int) and not isinstance(result, bool) else 0
        except SystemExit:
            raise
        except BaseException as error:
            failure = error
        if failure is not None:  # reported (or, with --debug, re-raised) outside the except
            code = self._report(failure)  # block, so a traceback shows the error alone
        if standalone_mode:
            sys.exit(code)
        return code

    def _report(self, error: BaseException) -> int:
        if isinstance(error, CliError):
            if self.debug and error.__cause__ is not None:
                raise error.__cause__  # the original error, with its own traceback
            _say(str(error))
            return error.code
        if type(error).__name__ == "NoArgsIsHelpError":  # a bare `lstmkit`: its help
            typer.echo(error.format_message())
            return 0
        if isinstance(error, _USAGE_ERROR):
            where = error.ctx.command_path if error.ctx is not None else "lstmkit"
            _say(f"{where}: {error.format_message()} (see `{where} --help`)")
            return USAGE
        if isinstance(error, _CLICK_ERROR):
            _say(error.format_message())
            return error.exit_code
        if isinstance(error, typer.Abort):
            _say("aborted")
            return RUNTIME
        if self.debug or not isinstance(error, Exception):
            raise error
        _say(describe_error(error))
        usage = isinstance(error, ValueError | TypeError) and not _diverged(error)
        return USAGE if usage else RUNTIME


app = typer.Typer(
    cls=LstmkitGroup,
    name="lstmkit",
    help="Long Short-Term Memory networks: train, evaluate and run the classic examples.",
    no_args_is_help=True,
    **TYPER_SETTINGS,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"lstmkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=_print_version,
        help="Print lstmkit's version and exit.",
    ),
    debug: bool = typer.Option(
        False,
        "--debug",
        envvar="LSTMKIT_DEBUG",
        help="Show the full traceback of an error instead of one line (for bug reports).",
    ),
) -> None:
    if isinstance(ctx.command, LstmkitGroup):
        ctx.command.debug = debug
