"""What a running flow does with Prefect: wait for people, publish aggregates.

A wait suspends the run: its process exits, and when the run is resumed a worker starts it
again from the top. The stages skip what is done, so everything before a wait runs again
cheaply; an answered key returns its answer at once on the way back through."""

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar
from uuid import uuid4

from prefect import Task, runtime, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from sqlalchemy.exc import StatementError

from opgaveudvalg.errors import UserError
from opgaveudvalg.orchestration.portfolio import publish_portfolio

T = TypeVar("T", bound=RunInput)
P = ParamSpec("P")
R = TypeVar("R")


class RowWithheld(Exception):
    """A database error in a step, told without the row it was writing."""


def step(function: Callable[P, R]) -> Task[P, R]:
    """A task of a committee's flow. Never answered from Prefect's result cache: every step
    reads or changes the app database, which changes between calls (a cached `next_meeting`
    would keep returning the same meeting). And a database error never reaches Prefect as
    it is: SQLAlchemy's message quotes the parameters of the failed statement — a person's
    name, e-mail, address — and Prefect would keep them in its logs and events. The step
    fails with the error's class and the step's name instead."""

    @functools.wraps(function)
    def withheld(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except StatementError as error:
            cause = type(error.orig).__name__ if error.orig is not None else type(error).__name__
            raise RowWithheld(
                f"databasefejl ({cause}) i trinnet {function.__name__}; rækkens værdier er "
                "udeladt, så ingen personoplysninger når Prefect"
            ) from None

    return task(cache_policy=NO_CACHE)(withheld)


def await_answer(slug: str, form: type[T], key: str) -> T:
    """Suspend until `form` is answered; `key` must be new for each decision of this run."""
    publish_portfolio({slug: key})
    return suspend_flow_run(wait_for_input=form, key=key, timeout=None)


def sleep_until_woken(slug: str, what: str) -> None:
    """Suspend until something is recorded in the app database and the run is woken (by the
    command that recorded it, or by a scheduled run). The key is new each time, because the
    run reads the database again when it starts over and waits anew if nothing changed."""
    publish_portfolio({slug: what})
    suspend_flow_run(key=f"{what}-{uuid4().hex[:12]}", timeout=None)


def current_flow_run_id() -> str:
    return str(runtime.flow_run.id)


def publish_table(key: str, rows: list[dict[str, object]], description: str) -> None:
    """A Prefect table artifact; `rows` must hold aggregates only."""
    create_table_artifact(table=rows, key=key, description=description)


class UserErrorsPlainly(logging.Filter):
    """A user's mistake raised in a task or flow is logged by Prefect with its traceback; it
    becomes the one line the command line would print (a traceback means a fault of ours)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, UserError):
            record.msg, record.args, record.exc_info = f"fejl: {error}", None, None
        return True


def report_user_errors_plainly() -> None:
    """Install `UserErrorsPlainly` on Prefect's run loggers (once; flows call it on import)."""
    for name in ("prefect.task_runs", "prefect.flow_runs"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, UserErrorsPlainly) for f in logger.filters):
            logger.addFilter(UserErrorsPlainly())
