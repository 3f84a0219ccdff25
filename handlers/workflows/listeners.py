"""The ``function_executed`` listeners: each runs its step and tells Slack how the run ended,
``functions.completeSuccess`` with the outputs or ``functions.completeError`` with what the
workflow author should change. Bolt acknowledges the event before the step runs, and gives the
listener a client holding the run's own token (the event's ``bot_access_token``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_bolt.context.complete import Complete
from slack_bolt.context.fail import Fail
from slack_sdk import WebClient

from handlers.shared.deps import deps_of, workspace
from handlers.shared.errors import UserError, apology_for
from handlers.workflows.steps import Outputs, Run

log = logging.getLogger(__name__)
Step = Callable[[Run, dict[str, Any]], Outputs]


def step_listener(step: Step) -> Callable[..., None]:
    """A Bolt ``app.function`` listener that runs ``step`` and completes or fails the run."""

    def on_function_executed(
        inputs: dict[str, Any], complete: Complete, fail: Fail, context: BoltContext, client: WebClient
    ) -> None:
        run = Run(
            deps=deps_of(context),
            team_id=workspace(context),  # the event's team: the workspace the workflow runs in
            execution_id=context.function_execution_id or "",
            client=client,
            bot_user_id=context.bot_user_id or "",
        )
        try:
            outputs = step(run, inputs or {})
        except UserError as error:
            fail(error=error.message)
            return
        except Exception as error:
            # Nothing was saved (each step writes in one transaction); the run must still end, or the
            # workflow waits for it until Slack gives up.
            log.exception("workflow step %s failed in %s", step.__name__, run.team_id)
            fail(error=apology_for(error))
            return
        complete(outputs=outputs)

    on_function_executed.__name__ = f"on_{step.__name__}"
    return on_function_executed
