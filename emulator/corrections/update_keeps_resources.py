"""update-keeps-resources: moto gap 1, seen after an update.

Found while checking item 1 with our sequence (create, update the image tag,
teardown). moto's ``ResourceMap.build_resource_diff`` compares the stored
template entries with the new ones, and moto adds ``"Properties": {}`` to a
stored entry that had none: a resource without properties (our internet
gateway) therefore counts as modified at every ``UpdateStack``. Its model has
no update, so ``parse_and_update_resource`` returns ``None`` and
``ResourceMap.update`` stores that ``None`` in place of the resource: the stack
forgets it, ``ListStackResources`` leaves it out and ``DeleteStack`` leaves the
internet gateway behind. (A property-less resource whose model can update, an
ECS cluster without ClusterName, would be replaced at every update instead.)

The correction compares templates with a missing ``Properties`` read as empty,
and keeps the existing resource when its model cannot be updated.
"""

from __future__ import annotations

from typing import Any

NAME = "update-keeps-resources"
ITEM = "1"
SUMMARY = (
    "UpdateStack does not treat property-less resources as modified, and keeps "
    "resources whose model cannot be updated (so a later delete removes them)"
)


def apply() -> None:
    from moto.cloudformation import parsing
    from moto.cloudformation.parsing import ResourceMap

    original_diff = ResourceMap.build_resource_diff

    def build_resource_diff(
        self: Any, other_template: dict[str, Any], parameters: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        for resource in (other_template.get("Resources") or {}).values():
            if isinstance(resource, dict) and "Type" in resource:
                resource.setdefault("Properties", {})
        return original_diff(self, other_template, parameters)

    original_update = parsing.parse_and_update_resource

    def parse_and_update_resource(
        logical_id: str, resource_json: Any, resources_map: Any, account_id: str, region_name: str
    ) -> Any:
        updated = original_update(logical_id, resource_json, resources_map, account_id, region_name)
        if updated is None:
            return resources_map._parsed_resources.get(logical_id)
        return updated

    ResourceMap.build_resource_diff = build_resource_diff  # type: ignore[method-assign]
    parsing.parse_and_update_resource = parse_and_update_resource
