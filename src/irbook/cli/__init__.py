"""Command-line entry point: the one catch site for errors, with fixed exit codes.

Commands live in the modules of this package; each parses its options, calls one core function
and hands the result to ``irbook.console``. No logic here.
"""

import sys

from irbook.errors import ExitCode, IrbookError


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    from irbook import console

    try:
        from irbook.cli.app import app

        result = app(args=argv, prog_name="irbook", standalone_mode=False)
        return int(result) if isinstance(result, int) else 0
    except IrbookError as err:
        console.error(err)
        return int(err.exit_code)
    except KeyboardInterrupt:
        console.plain_error("interrupted")
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:  # a bug: keep the traceback off the screen (it may hold secrets)
        import typer

        if isinstance(exc, typer.Exit):
            return int(exc.exit_code)
        if isinstance(exc, typer.Abort):
            console.plain_error("aborted")
            return int(ExitCode.INTERRUPTED)
        show = getattr(exc, "show", None)
        if isinstance(exc, typer.TyperException) and callable(show):  # click usage errors
            show()
            return int(ExitCode.INVALID)
        from irbook.cli.crashlog import write_crash_log

        log = write_crash_log(exc)
        console.plain_error(
            f"internal error: {type(exc).__name__}. This is a bug in irbook; nothing committed "
            f"was lost.\nThe traceback is in {log}; please attach it to a bug report."
        )
        return int(ExitCode.INTERNAL)
