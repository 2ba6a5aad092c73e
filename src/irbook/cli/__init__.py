"""Command-line entry point: the one catch site for errors, with fixed exit codes.

Commands live in the modules of this package; each parses its options, calls one core function
and hands the result to ``irbook.console``. No logic here.
"""

import sys

from irbook.errors import CommandInterrupted, ExitCode, IrbookError


def main(argv: list[str] | None = None) -> None:
    code = run(argv)
    if code == ExitCode.INTERRUPTED:
        _quiet_interrupted_exit()
    sys.exit(code)


def _quiet_interrupted_exit() -> None:
    """After Ctrl-C, say nothing more than "interrupted": a Ctrl-C that lands while
    prompt_toolkit is building its event loop leaves a half-made loop whose ``__del__`` fails
    ("Exception ignored ... AttributeError: ... '_thread_id'") and a coroutine never awaited
    (RuntimeWarning), both printed at exit under our message. Nothing was lost; those lines only
    frighten the responder, so they are dropped for an interrupted run alone."""
    import gc
    import warnings

    sys.unraisablehook = lambda _unraisable: None
    warnings.simplefilter("ignore")
    gc.collect()  # while the hooks are quiet, not at interpreter shutdown


def run(argv: list[str] | None = None) -> int:
    from irbook import console

    try:
        from irbook.cli.app import app

        result = app(args=argv, prog_name="irbook", standalone_mode=False)
        return int(result) if isinstance(result, int) else 0
    except IrbookError as err:
        console.error(err)
        return int(err.exit_code)
    except (KeyboardInterrupt, CommandInterrupted):
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
