"""Small helpers shared by the corrections (not a correction itself)."""

from __future__ import annotations

import re
from typing import Any, Callable


def ec2_backend(account_id: str, region_name: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account_id][region_name]


def ecs_backend(account_id: str, region_name: str) -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account_id][region_name]


def elbv2_backend(account_id: str, region_name: str) -> Any:
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[account_id][region_name]


def error_code(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code:
        return code
    return type(exc).__name__


def error_message(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    return str(exc) or type(exc).__name__


def is_not_found(exc: BaseException) -> bool:
    text = f"{error_code(exc)} {type(exc).__name__}"
    return "NotFound" in text or "NotFound" in error_message(exc)


def ignore_not_found(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; a 'not found' error counts as already deleted."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # moto raises its own exception classes
        if is_not_found(exc):
            return None
        raise


def set_cfn_delete(model: type, delete: Callable[[str, str, str], None]) -> None:
    """Give a moto model the ``delete_from_cloudformation_json`` classmethod.

    ``ResourceMap._delete_resource`` (moto/cloudformation/parsing.py) calls it as
    ``cls.delete_from_cloudformation_json(physical_resource_id, resource_json,
    account_id, region_name)``; ``resource_json`` is the unresolved template
    entry, so ``delete`` gets only the physical id, the account and the region.
    """

    def delete_from_cloudformation_json(
        cls: type,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> None:
        delete(resource_name, account_id, region_name)

    model.delete_from_cloudformation_json = classmethod(delete_from_cloudformation_json)  # type: ignore[attr-defined]


# --- stack state -----------------------------------------------------------

_FROZEN_ATTR = "_emulator_frozen"


def install_frozen_resource_maps() -> None:
    """Let a stack's resource map stop creating resources on lookup.

    ``ResourceMap.__getitem__`` creates any resource it does not hold yet (it is a
    lazy map), and describing a stack evaluates its outputs through it. Once a
    stack has been deleted or rolled back, that would bring its resources back.
    A frozen map answers ``None`` for a resource it no longer holds instead.
    """
    from moto.cloudformation.parsing import ResourceMap

    if getattr(ResourceMap, "_emulator_freezable", False):
        return
    original = ResourceMap.__getitem__

    def __getitem__(self: Any, key: str) -> Any:
        if getattr(self, _FROZEN_ATTR, False) and key not in self._parsed_resources:
            if key in self._resource_json_map:
                return None
            raise KeyError(key)
        return original(self, key)

    ResourceMap.__getitem__ = __getitem__  # type: ignore[method-assign]
    ResourceMap._emulator_freezable = True  # type: ignore[attr-defined]


def freeze(resource_map: Any) -> None:
    install_frozen_resource_maps()
    setattr(resource_map, _FROZEN_ATTR, True)


def retire_stack_outputs(stack: Any) -> None:
    """A stack that is gone (deleted, rolled back) has no resources, outputs or exports."""
    from moto.cloudformation.parsing import OutputMap

    freeze(stack.resource_map)
    stack.resource_map._resource_json_map = {}
    stack.output_map = OutputMap(stack.resource_map, {}, stack.stack_id)


def drop_exports(backend: Any, stack_id: str) -> None:
    """Remove a stack's exports from the region's export list (no evaluation)."""
    for name, export in list(backend.exports.items()):
        if export.exporting_stack_id == stack_id:
            backend.exports.pop(name, None)


def add_resource_event(
    stack: Any,
    logical_id: str,
    resource_type: str,
    status: str,
    reason: str | None,
    physical_id: str = "",
) -> None:
    from moto.cloudformation.models import Event

    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=physical_id,
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def set_stack_status(stack: Any, status: str, reason: str | None = None) -> None:
    """Set the status, its reason (StackStatusReason) and add the stack event."""
    stack.status = status
    stack.stack_status_reason = reason
    stack._add_stack_event(status, resource_status_reason=reason)


def find_change_set(backend: Any, change_set_name: str, stack_name: str | None) -> Any:
    """A change set by ARN, or by name (of the given stack when several share it)."""
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    matches = [
        cs for cs in backend.change_sets.values() if cs.change_set_name == change_set_name
    ]
    for change_set in matches:
        if stack_name in (None, change_set.stack_name, change_set.stack_id):
            return change_set
    return matches[0] if matches else None


def parameter_text(value: Any) -> Any:
    """A parameter value as CloudFormation keeps it: lists comma-joined, numbers as text."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


# --- templates ---------------------------------------------------------------

_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def _sub_references(sub: Any) -> list[str]:
    """Names one ``Fn::Sub`` refers to: ``${Name}`` and ``${Name.Attr}`` in its text (not
    ``${!Literal}``, nor a variable its own map defines), then what the map's values refer to."""
    text, mapping = (sub[0], sub[1] if len(sub) > 1 else None) if isinstance(sub, list) and sub else (sub, None)
    names = []
    if isinstance(text, str):
        for match in _SUB_VARIABLE.findall(text):
            name = match.strip().split(".")[0]
            if not isinstance(mapping, dict) or name not in mapping:
                names.append(name)
    return names + references(mapping)


def references(node: Any) -> list[str]:
    """Every name a template fragment refers to, in order: ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub``."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.append(value)
            elif key == "Fn::GetAtt":
                if isinstance(value, list) and value and isinstance(value[0], str):
                    found.append(value[0])
                elif isinstance(value, str):
                    found.append(value.split(".")[0])
                else:
                    found.extend(references(value))
            elif key == "Fn::Sub":
                found.extend(_sub_references(value))
            else:
                found.extend(references(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(references(item))
    return found
