"""stack-resource-lists: CloudFormation's resource lists in AWS's shapes.

moto 5.2.1 answers ``ListStackResources`` with summaries whose timestamp is
written under a misspelt key (``LastUpdateTimestamp``), so the required
``LastUpdatedTimestamp`` is missing, and every resource ``CREATE_COMPLETE``.
Both ``ListStackResources`` and ``DescribeStackResources`` list each template
resource moto did not create (a type it does not model, such as the
autoscaling resources and bucket policies, or a resource whose ``Condition``
is false) as an entry without logical id, type or physical id, which
CloudFormation never does (API reference, StackResourceSummary and
StackResource: ``LogicalResourceId``, ``ResourceType``, ``ResourceStatus`` and
the timestamp are required). mlops reads the lists to find a stack's resources.

The correction answers both lists from the stack's template: a resource whose
condition is false is not listed (CloudFormation does not create it); one of a
type moto does not model is listed with its logical id and type, and no
physical id (moto made none); status and timestamp are those of the
resource's latest event, else the stack's status and creation time.
"""

from __future__ import annotations

from typing import Any

NAME = "stack-resource-lists"
ITEM = "—"
SUMMARY = (
    "ListStackResources/DescribeStackResources list every resource with its logical id, "
    "type, status and timestamp, and no entry for a resource moto did not create"
)

_STATUS_OF_STACK = {
    "CREATE_COMPLETE": "CREATE_COMPLETE",
    "UPDATE_COMPLETE": "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE": "UPDATE_COMPLETE",
    "ROLLBACK_COMPLETE": "DELETE_COMPLETE",
    "DELETE_COMPLETE": "DELETE_COMPLETE",
}


def _listed(stack: Any) -> list[dict[str, Any]]:
    """The stack's resources as CloudFormation lists them, in template order."""
    from moto.core.utils import iso_8601_datetime_with_milliseconds

    resource_map = stack.resource_map
    templates = getattr(resource_map, "_resource_json_map", {}) or {}
    parsed = getattr(resource_map, "_parsed_resources", {}) or {}
    # A replaced resource's last event is the old one's DELETE_COMPLETE: the
    # resource listed is the new one, whose latest event is not a delete.
    latest_event: dict[str, Any] = {}
    for event in getattr(stack, "events", []) or []:
        logical_id = getattr(event, "logical_resource_id", None)
        if logical_id and logical_id != stack.name:
            deleting = str(getattr(event, "resource_status", "")).startswith("DELETE_")
            if not deleting or logical_id not in latest_event:
                latest_event[logical_id] = event
    listed = []
    for logical_id, template in templates.items():
        condition = template.get("Condition") if isinstance(template, dict) else None
        if condition:
            try:
                if not resource_map.lazy_condition_map[condition]:
                    continue
            except Exception:
                pass
        resource = parsed.get(logical_id)
        event = latest_event.get(logical_id)
        entry: dict[str, Any] = {
            "LogicalResourceId": logical_id,
            "ResourceType": getattr(resource, "cf_resource_type", None) or template.get("Type", ""),
            "ResourceStatus": (
                event.resource_status
                if event is not None
                else _STATUS_OF_STACK.get(stack.status, "CREATE_COMPLETE")
            ),
            "Timestamp": iso_8601_datetime_with_milliseconds(
                event.timestamp if event is not None else stack.creation_time
            ),
        }
        physical_id = getattr(resource, "physical_resource_id", None) if resource is not None else None
        if physical_id:
            entry["PhysicalResourceId"] = physical_id
        listed.append(entry)
    return listed


def apply() -> None:
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    def list_stack_resources(self: Any) -> Any:
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        summaries = []
        for entry in _listed(stack):
            summary = dict(entry)
            summary["LastUpdatedTimestamp"] = summary.pop("Timestamp")
            summaries.append(summary)
        return ActionResult({"StackResourceSummaries": summaries})

    def describe_stack_resources(self: Any) -> Any:
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        wanted = self._get_param("LogicalResourceId")
        resources = [
            {"StackName": stack.name, "StackId": stack.stack_id, **entry}
            for entry in _listed(stack)
            if wanted is None or entry["LogicalResourceId"] == wanted
        ]
        return ActionResult({"StackResources": resources})

    CloudFormationResponse.list_stack_resources = list_stack_resources  # type: ignore[method-assign]
    CloudFormationResponse.describe_stack_resources = describe_stack_resources  # type: ignore[method-assign]
