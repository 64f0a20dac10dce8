"""The errors hipthrust can raise on purpose, each carrying the exit code the CLI uses.

The core raises these; only the CLI's funnel (``cli/funnel.py``) turns them into a
message on stderr and an exit code. Messages are complete sentences that name what is
wrong and what to do.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_KB = 3
EXIT_INTERRUPTED = 130


class HipthrustError(Exception):
    """Base of every error hipthrust reports to the user."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(HipthrustError):
    """Bad command-line usage, or answers that do not fit the questionnaire (exit 2)."""

    exit_code = EXIT_USAGE


class AnswersError(UsageError):
    """An answers file or ``--answer`` value is unreadable or invalid (exit 2)."""


class KnowledgeBaseError(HipthrustError):
    """The knowledge base cannot be read or is invalid (exit 3).

    ``problems`` holds every problem found, one line each, when more than one is known.
    """

    exit_code = EXIT_KB

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM, SIGHUP) while it was prompting.

    A KeyboardInterrupt, so prompt_toolkit and asyncio unwind it as they unwind Ctrl-C
    (restoring the terminal on the way) instead of logging it as a task error. Exits
    with 128 + the signal number, as a shell reports a process killed by it.
    """

    def __init__(self, signum: int, name: str) -> None:
        super().__init__(name)
        self.signum = signum
        self.name = name

    @property
    def exit_code(self) -> int:
        """128 + the signal number."""
        return 128 + self.signum
