"""stack-last-updated: DescribeStacks' ``LastUpdatedTime``.

CloudFormation answers ``LastUpdatedTime`` for a stack that has been updated
at least once: "The time the stack was last updated. This field will only be
returned if the stack has been updated at least once" (API reference, Stack).
moto 5.2.1 never answers it, so ``mlops status NAME`` showed the stack's
creation time as the time of its last operation, an update.

The correction sets it when an update starts (``UPDATE_IN_PROGRESS``, by
``UpdateStack`` or an ``UPDATE`` change set): the time of that event.
"""

from __future__ import annotations

from typing import Any

NAME = "stack-last-updated"
ITEM = "—"
SUMMARY = "DescribeStacks answers LastUpdatedTime once a stack has been updated"


def apply() -> None:
    from moto.cloudformation.models import Stack
    from moto.core.utils import utcnow

    original_add_stack_event = Stack._add_stack_event

    def _add_stack_event(self: Any, resource_status: str, resource_status_reason: str | None = None, resource_properties: str | None = None) -> None:
        original_add_stack_event(self, resource_status, resource_status_reason, resource_properties)
        if resource_status == "UPDATE_IN_PROGRESS":
            event = self.events[-1] if self.events else None
            self.last_updated_time = getattr(event, "timestamp", None) or utcnow()

    Stack._add_stack_event = _add_stack_event  # type: ignore[method-assign]
