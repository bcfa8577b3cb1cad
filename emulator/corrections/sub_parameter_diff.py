"""sub-parameter-diff: moto gap 2 (a parameter used only in Fn::Sub).

``ResourceMap.build_resource_diff`` (moto/cloudformation/parsing.py) marks a
resource as modified by a parameter change only when the resource holds a
``{"Ref": param}``; ``get_references_from_template`` does not look inside
``Fn::Sub`` strings. Our image tag (APITag) reaches the task definition only
through ``!Sub "...:${APITag}"``, so ``mlops update --tag`` changed the stack's
Parameters but registered no new task definition revision. Also, a resource that
refers to a modified one (the service's ``TaskDefinition: !Ref TaskDefinition``)
was not updated, so the service would keep the old revision.

moto also compares the new parameters with the ones *passed* before, so a
parameter that kept its default and is now passed as UsePreviousValue counts as
changed, and every resource using it is modified again.

The correction (1) counts ``${Name}`` in ``Fn::Sub`` as a reference and compares
each parameter's new value (passed, or its default) with its current resolved
value, (2) marks as modified every resource that refers (Ref, GetAtt, Sub) to a
modified one, when its model supports updates, and (3) orders the modified
resources so that a resource is updated after the ones it refers to.

A parameter that flips a condition changes every resource whose ``Fn::If`` uses
that condition (the listener rule's actions, a service's deployment settings
when the strategy changes); moto ignored it, so the rule kept its old actions
and a target group that the update removes was deleted while the rule still
forwarded to it. A resource using a condition that depends (through ``Ref`` or
another ``Condition``) on a changed parameter counts as modified too.
"""

from __future__ import annotations

from typing import Any

from ._common import references

NAME = "sub-parameter-diff"
ITEM = "2"
SUMMARY = (
    "a parameter used only inside Fn::Sub updates the resource; dependents "
    "(the service of a new task definition) follow"
)

def _supports_update(resource_json: Any) -> bool:
    from moto.cloudformation.parsing import resource_class_from_type

    try:
        model = resource_class_from_type(resource_json.get("Type", ""))
    except Exception:
        return False
    if model is None:
        return False
    update = getattr(model, "update_from_cloudformation_json", None)
    return update is not None and not getattr(update, "__isabstractmethod__", False)


def _in_dependency_order(names: list[str], template_resources: dict[str, Any]) -> list[str]:
    pending = list(dict.fromkeys(names))
    wanted = set(pending)
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting:
            return
        visiting.add(name)
        resource = template_resources.get(name, {})
        depends = resource.get("DependsOn", [])
        if isinstance(depends, str):
            depends = [depends]
        for dependency in references(resource) + list(depends):
            if dependency in wanted:
                visit(dependency)
        visiting.discard(name)
        ordered.append(name)

    for name in pending:
        visit(name)
    return ordered


def _if_conditions(node: Any) -> set[str]:
    """The condition names a resource's ``Fn::If`` use."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::If" and isinstance(value, list) and value and isinstance(value[0], str):
                found.add(value[0])
            found |= _if_conditions(value)
    elif isinstance(node, list):
        for item in node:
            found |= _if_conditions(item)
    return found


def _condition_names(node: Any) -> set[str]:
    """The conditions a condition's definition names (``{"Condition": name}``)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Condition" and isinstance(value, str):
                found.add(value)
            else:
                found |= _condition_names(value)
    elif isinstance(node, list):
        for item in node:
            found |= _condition_names(item)
    return found


def conditions_on(template: dict[str, Any], changed: set[str]) -> set[str]:
    """The template's conditions whose value depends on a changed parameter."""
    definitions = template.get("Conditions") or {}
    affected = {name for name, body in definitions.items() if changed & set(references(body))}
    grown = True
    while grown:
        grown = False
        for name, body in definitions.items():
            if name not in affected and affected & _condition_names(body):
                affected.add(name)
                grown = True
    return affected


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return "" if value is None else str(value)


def changed_parameters(
    resource_map: Any, template: dict[str, Any], parameters: dict[str, Any]
) -> set[str]:
    """Parameters whose value after the update differs from the current one.

    After an update a parameter has the value passed, or else its default
    (moto's ``load_parameters``); it is compared with the resolved current
    value, so a parameter passed as UsePreviousValue (its current value, maybe
    the default) does not count as changed.
    """
    changed = set()
    for name, slot in (template.get("Parameters") or {}).items():
        new = parameters[name] if name in parameters else (slot or {}).get("Default")
        if _as_text(new) != _as_text(resource_map.resolved_parameters.get(name)):
            changed.add(name)
    return changed


def apply() -> None:
    from moto.cloudformation import parsing
    from moto.cloudformation.parsing import ResourceMap

    # (1) a Fn::Sub variable counts as a reference (for whoever asks moto)
    parsing.get_references_from_template = references

    template_diff = ResourceMap.build_resource_diff

    def build_resource_diff(
        self: Any, other_template: dict[str, Any], parameters: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        actions = template_diff(self, other_template, None)  # what the template changes
        old = self._resource_json_map
        new = other_template.get("Resources") or {}
        modified = list(actions["Modify"])
        if parameters:
            changed = changed_parameters(self, other_template, parameters)
            flipped = conditions_on(other_template, changed)
            for name, resource_json in new.items():
                if name in old and name not in modified and (changed & set(references(resource_json)) or flipped & _if_conditions(resource_json)):
                    modified.append(name)
        # (2) a resource that refers to a modified resource is modified too
        grown = True
        while grown:
            grown = False
            for name, resource_json in new.items():
                if name in modified or name not in old:
                    continue
                if not _supports_update(resource_json):
                    continue
                if any(ref in modified for ref in references(resource_json)):
                    modified.append(name)
                    grown = True
        # (3) dependencies first
        actions["Modify"] = _in_dependency_order(modified, new)
        return actions

    ResourceMap.build_resource_diff = build_resource_diff  # type: ignore[method-assign]
