"""change-set-conditions: change sets and resource events that honour ``Condition``.

moto 5.2.1 lists every resource of the template in a change set's ``Changes``,
whatever its ``Condition``: a ``CREATE`` change set of our base template with
the defaults lists the blue/green target group and role and the weights
schedule and its role, which CloudFormation does not create ("Conditions" in
the CloudFormation User Guide: "the resource is created only if the condition
is true"), so the change set said 61 resources where the plan and the stack
have 56. An ``UPDATE`` that flips a condition lists the resource as modified
(or not at all) where CloudFormation adds or removes it, and one whose
condition stays false is listed as modified when a parameter it refers to
changes. The resource events of resource-events follow the template the same
way, so the live progress table showed such resources created.

The correction evaluates the conditions of the old template (the stack's) and
of the new one with the change set's parameters: a resource is listed ``Add``
when it exists only afterwards, ``Remove`` when only before, ``Modify`` (as
moto and the other corrections computed it) when it exists on both sides, and
not at all when its condition is false on both. A stack operation's resource
events name only the resources that exist (before a delete, after a create).
"""

from __future__ import annotations

from typing import Any

from . import resource_events

NAME = "change-set-conditions"
ITEM = "change sets (partly)"
SUMMARY = "change sets and resource events leave out resources whose Condition is false, and add/remove those whose Condition flips"
REQUIRES = ("change-set-execute", "resource-events")

_EXISTED = "_emulator_existing_before_operation"


def existing(resource_map: Any, resources: dict[str, Any] | None) -> list[str]:
    """The template's resources whose condition holds in ``resource_map``, in template order."""
    conditions = getattr(resource_map, "lazy_condition_map", None)
    names = []
    for name, entry in (resources or {}).items():
        condition = entry.get("Condition") if isinstance(entry, dict) else None
        if condition and conditions is not None:
            try:
                if not conditions[condition]:
                    continue
            except Exception:  # an unreadable condition: CloudFormation would have refused the template
                pass
        names.append(name)
    return names


def _conditions_of(stack: Any, template: dict[str, Any], parameters: dict[str, Any] | None) -> Any:
    """A resource map that has only evaluated the conditions of ``template`` with ``parameters``."""
    from moto.cloudformation.parsing import ResourceMap

    resource_map = ResourceMap(
        stack.stack_id,
        stack.name,
        dict(parameters or {}),
        {},
        account_id=stack.account_id,
        region_name=stack.region_name,
        template=template,
        cross_stack_resources=None,
    )
    resource_map.load_mapping()
    resource_map.load_parameters()
    resource_map.load_conditions()
    return resource_map


def apply() -> None:
    from moto.cloudformation.models import Change, ChangeSet, Stack

    previous_diff = ChangeSet.diff

    def diff(self: Any) -> list[Any]:
        changes = previous_diff(self)
        new_resources = self.template_dict.get("Resources") or {}
        try:
            after = existing(_conditions_of(self.stack, self.template_dict, self.parameters), new_resources)
        except Exception:  # parameters moto cannot resolve: leave its answer
            return changes
        updating = self.change_set_type == "UPDATE"
        old_resources = (self.stack.resource_map._resource_json_map or {}) if updating else {}
        existed = existing(self.stack.resource_map, old_resources) if updating else []
        before = set(existed)
        now = set(after)
        kept: list[Any] = []
        listed: set[str] = set()
        for change in changes:
            name = change.logical_resource_id
            listed.add(name)
            was, still = name in before, name in now
            if was and still:
                kept.append(change)
            elif still:
                kept.append(change if change.action == "Add" else Change("Add", name, new_resources[name].get("Type", "")))
            elif was:
                kept.append(change if change.action == "Remove" else Change("Remove", name, old_resources[name].get("Type", "")))
        # A condition flipped by a parameter alone: moto saw no change in the template entry.
        for name in after:
            if name not in before and name not in listed:
                kept.append(Change("Add", name, new_resources[name].get("Type", "")))
        for name in existed:
            if name not in now and name not in listed:
                kept.append(Change("Remove", name, old_resources[name].get("Type", "")))
        return kept

    ChangeSet.diff = diff  # type: ignore[method-assign]

    operation_events = resource_events._operation_events

    def _operation_events(stack: Any, final: str) -> list[tuple[str, str, str]]:
        events = operation_events(stack, final)
        before = set(getattr(stack, _EXISTED, None) or ())
        if final == "DELETE_COMPLETE":
            return [event for event in events if event[0] in before]
        resources = (stack.template_dict or {}).get("Resources") or {}
        now = set(existing(stack.resource_map, resources))
        if final == "CREATE_COMPLETE":
            return [event for event in events if event[0] in now]
        kept = []
        named = set()
        for logical_id, resource_type, verb in events:
            named.add(logical_id)
            was, still = logical_id in before, logical_id in now
            if verb == "CREATE" and still or verb == "DELETE" and was or verb == "UPDATE" and was and still:
                kept.append((logical_id, resource_type, verb))
            elif verb == "UPDATE" and still:
                kept.append((logical_id, resource_type, "CREATE"))
            elif verb == "UPDATE" and was:
                kept.append((logical_id, resource_type, "DELETE"))
        for logical_id, entry in resources.items():
            if logical_id not in named and logical_id in now and logical_id not in before:
                kept.append((logical_id, entry.get("Type", ""), "CREATE"))
        old = (getattr(stack, resource_events._SNAPSHOT, None) or {}).get("resources") or {}
        for logical_id in before - now - named:
            kept.append((logical_id, (old.get(logical_id) or {}).get("Type", ""), "DELETE"))
        return kept

    resource_events._operation_events = _operation_events

    original_add_stack_event = Stack._add_stack_event

    def _add_stack_event(self: Any, resource_status: str, resource_status_reason: str | None = None, resource_properties: str | None = None) -> None:
        if resource_status.endswith("_IN_PROGRESS") and resource_status_reason == "User Initiated":
            resources = (self.template_dict or {}).get("Resources") or {}
            setattr(self, _EXISTED, existing(self.resource_map, resources))
        original_add_stack_event(self, resource_status, resource_status_reason, resource_properties)
        if resource_status in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE"):
            setattr(self, _EXISTED, None)

    Stack._add_stack_event = _add_stack_event  # type: ignore[method-assign]
