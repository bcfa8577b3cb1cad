"""resource-events: moto gap 5 (DescribeStackEvents lists only stack-level events).

CloudFormation reports each resource of an operation with its own events
(CREATE_IN_PROGRESS then CREATE_COMPLETE, UPDATE_..., DELETE_...), between the
stack's own IN_PROGRESS and COMPLETE events (DescribeStackEvents, CloudFormation
API reference). mlops draws its live progress table from them. moto 5.2.1 adds
only the two stack-level events, so the table stayed empty.

The correction adds, when a stack operation completes, the resource events of
that operation just before the stack's final event: every resource for a
create; for an update the resources added, removed, or whose template entry or
referenced parameters changed; every resource, in reverse order, for a delete (``DELETE_SKIPPED`` for one
whose ``DeletionPolicy`` retains it).
Failed operations keep the events the other corrections write.
"""

from __future__ import annotations

import copy
from typing import Any

from ._common import add_resource_event, references

NAME = "resource-events"
ITEM = "5"
SUMMARY = "stack operations list per-resource events (moto: only the stack's own two)"

_SNAPSHOT = "_emulator_operation_start"


def _resources(stack: Any) -> dict[str, Any]:
    return copy.deepcopy((stack.template_dict or {}).get("Resources", {}) or {})


def _physical_id(stack: Any, logical_id: str) -> str:
    # The parsed resources only: a lookup through the map would create a missing resource.
    resource = stack.resource_map._parsed_resources.get(logical_id)
    value = getattr(resource, "physical_resource_id", None) if resource is not None else None
    return str(value) if value else ""


def _operation_events(stack: Any, final: str) -> list[tuple[str, str, str]]:
    """(logical id, type, verb) of each resource the operation that ends with ``final`` touched."""
    before = getattr(stack, _SNAPSHOT, None) or {"resources": {}, "parameters": {}}
    now = _resources(stack)
    if final == "CREATE_COMPLETE":
        return [(lid, entry.get("Type", ""), "CREATE") for lid, entry in now.items()]
    if final == "DELETE_COMPLETE":
        old = before["resources"]
        # A resource the template retains is left in place: CloudFormation reports DELETE_SKIPPED for it, never DELETE_COMPLETE
        # (CloudFormation User Guide, "DeletionPolicy attribute").
        return [
            (lid, entry.get("Type", ""), "SKIP" if entry.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate") else "DELETE")
            for lid, entry in reversed(list(old.items()))
        ]
    old = before["resources"]
    changed_parameters = {
        key
        for key in set(before["parameters"]) | set(stack.parameters or {})
        if str(before["parameters"].get(key)) != str((stack.parameters or {}).get(key))
    }
    events = []
    for lid, entry in now.items():
        if lid not in old:
            events.append((lid, entry.get("Type", ""), "CREATE"))
        elif old[lid] != entry or set(references(entry)) & changed_parameters:
            events.append((lid, entry.get("Type", ""), "UPDATE"))
    for lid, entry in reversed(list(old.items())):
        if lid not in now:
            events.append((lid, entry.get("Type", ""), "DELETE"))
    return events


def apply() -> None:
    from moto.cloudformation.models import Stack

    original = Stack._add_stack_event

    def _add_stack_event(self: Any, resource_status: str, resource_status_reason: str | None = None, resource_properties: str | None = None) -> None:
        if resource_status.endswith("_IN_PROGRESS") and resource_status_reason == "User Initiated":
            setattr(self, _SNAPSHOT, {"resources": _resources(self), "parameters": dict(self.parameters or {})})
        elif resource_status in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE"):
            for logical_id, resource_type, verb in _operation_events(self, resource_status):
                physical_id = _physical_id(self, logical_id)
                if verb == "SKIP":
                    add_resource_event(self, logical_id, resource_type, "DELETE_SKIPPED", None, physical_id)
                    continue
                for phase in ("IN_PROGRESS", "COMPLETE"):
                    add_resource_event(self, logical_id, resource_type, f"{verb}_{phase}", None, physical_id)
            setattr(self, _SNAPSHOT, None)
        original(self, resource_status, resource_status_reason, resource_properties)

    Stack._add_stack_event = _add_stack_event  # type: ignore[method-assign]
