"""change-set-replacement: moto gap: change sets never say what is replaced.

moto 5.2.1 leaves ``Replacement`` and ``Details`` of every change empty, so a
change that replaces a resource (a new VPC CIDR, a target group's port) shows
no warning: our stack step cannot preview, and refuse without ``--yes``, a
replacement that would delete data or cut traffic.

What CloudFormation does: for each ``Modify`` change, ``Details`` lists the
changed properties (``Target`` ``Attribute: Properties``, ``Name``,
``RequiresRecreation: Always`` for a create-only property, ``Never`` otherwise)
and ``Replacement`` is ``True`` when a changed create-only property is known to
change, ``Conditional`` when it changes only through a resource that is itself
replaced (known only during the update), ``False`` otherwise. See
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html
and API_ResourceChangeDetail.html.

The correction computes the same from the template: a top-level property
changes when its JSON differs, when it refers to a parameter whose value
changes (``Ref`` or ``${X}`` in ``Fn::Sub``), or when it refers to a replaced
resource. The create-only properties come from the resource schemas cfn-lint
ships (``createOnlyProperties``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ._common import references

NAME = "change-set-replacement"
ITEM = "-"  # change sets work only partly (see emulator/README.md)
SUMMARY = "change sets fill Replacement and Details from the types' create-only properties (cfn-lint schemas)"


@lru_cache(maxsize=None)
def create_only_properties(resource_type: str) -> frozenset[str]:
    """Top-level create-only property names of a type, from cfn-lint's bundled schemas."""
    try:
        from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    except Exception:
        return frozenset()
    names = set()
    for pointer in schema.get("createOnlyProperties", []):
        parts = pointer.split("/")
        if len(parts) >= 3 and parts[1] == "properties":
            names.add(parts[2])
    return frozenset(names)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def replacement_details(
    resource_type: str,
    old_properties: dict[str, Any],
    new_properties: dict[str, Any],
    changed_parameters: set[str],
    replaced_resources: set[str],
) -> tuple[str, list[dict[str, Any]]]:
    """``Replacement`` and ``Details`` of one modified resource."""
    create_only = create_only_properties(resource_type)
    details: list[dict[str, Any]] = []
    static_recreate = False
    dynamic_recreate = False
    for name in sorted(set(old_properties) | set(new_properties)):
        old, new = old_properties.get(name), new_properties.get(name)
        refs = set(references(new))
        if _canonical(old) != _canonical(new):
            source, causing, evaluation = "DirectModification", None, "Static"
        elif refs & changed_parameters:
            source, causing, evaluation = "ParameterReference", sorted(refs & changed_parameters)[0], "Static"
        elif refs & replaced_resources:
            source, causing, evaluation = "ResourceReference", sorted(refs & replaced_resources)[0], "Dynamic"
        else:
            continue
        recreation = "Always" if name in create_only else "Never"
        if recreation == "Always":
            if evaluation == "Static":
                static_recreate = True
            else:
                dynamic_recreate = True
        detail: dict[str, Any] = {
            "Target": {"Attribute": "Properties", "Name": name, "RequiresRecreation": recreation},
            "Evaluation": evaluation,
            "ChangeSource": source,
        }
        if causing:
            detail["CausingEntity"] = causing
        details.append(detail)
    replacement = "True" if static_recreate else "Conditional" if dynamic_recreate else "False"
    return replacement, details


def apply() -> None:
    from moto.cloudformation.models import Change, ChangeSet

    previous_diff = ChangeSet.diff

    def diff(self: Any) -> list[Any]:
        changes = previous_diff(self)
        if self.change_set_type != "UPDATE":
            return changes
        old_resources = self.stack.resource_map._resource_json_map or {}
        new_resources = self.template_dict.get("Resources") or {}
        old_parameters = dict(self.stack.parameters or {})
        new_parameters = dict(self.parameters or {})
        changed_parameters = {
            key
            for key in set(old_parameters) | set(new_parameters)
            if str(old_parameters.get(key)) != str(new_parameters.get(key))
        }
        listed = {c.logical_resource_id for c in changes}
        modified = [c for c in changes if c.action == "Modify"]
        replaced: set[str] = set()
        results: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        # A replaced resource changes the properties of those that refer to it: repeat until stable.
        for _ in range(len(new_resources) + 1):
            before = set(replaced)
            for change in modified:
                name = change.logical_resource_id
                old = (old_resources.get(name) or {}).get("Properties") or {}
                new = (new_resources.get(name) or {}).get("Properties") or {}
                results[name] = replacement_details(change.resource_type, old, new, changed_parameters, replaced)
                if results[name][0] in ("True", "Conditional"):
                    replaced.add(name)
            # CloudFormation lists a resource that refers to a replaced one as modified, even when moto does not.
            for name, resource in new_resources.items():
                if name in listed or name not in old_resources or not isinstance(resource, dict):
                    continue
                if set(references(resource.get("Properties") or {})) & replaced:
                    modified.append(Change(action="Modify", logical_resource_id=name, resource_type=resource.get("Type", "")))
                    changes.append(modified[-1])
                    listed.add(name)
            if replaced == before and all(c.logical_resource_id in results for c in modified):
                break
        for change in modified:
            replacement, details = results.get(change.logical_resource_id, ("False", []))
            change.replacement = replacement
            change.details = details
            change.scope = ["Properties"] if details else []
        return changes

    ChangeSet.diff = diff  # type: ignore[method-assign]
