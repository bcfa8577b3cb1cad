"""conditional-resources-update: an update that flips a resource's Condition.

moto 5.2.1 remembers a resource whose Condition was false at creation as
``None`` and, at an update that makes the condition true, never creates it: a
reference to it then fails (``Template error: instance of Fn::GetAtt references
undefined resource``) and the stack ends UPDATE_ROLLBACK_FAILED. A condition
that turns false leaves the resource in place. CloudFormation creates the
resource in the first case and deletes it in the second ("Conditions" in the
CloudFormation User Guide: "the resource is created only if the condition is
true"). Our weights schedule and its role appear and go that way
(``WeightsSchedule``).

The correction evaluates the new conditions before moto's update: a resource
whose condition became true is forgotten, so moto creates it on first use (or
after its update, when nothing used it); one
whose condition became false is deleted (newest first) after the update, as
CloudFormation deletes resources in its cleanup phase once the others are
updated (a listener rule stops forwarding to a target group before the target
group goes), and remembered as absent.
"""

from __future__ import annotations

from typing import Any

NAME = "conditional-resources-update"
ITEM = "conditions at an update (moto)"
SUMMARY = "UpdateStack creates the resources whose Condition became true and deletes those whose Condition became false"


def apply() -> None:
    from moto.cloudformation import parsing
    from moto.cloudformation.parsing import ResourceMap

    original_update_resource = parsing.parse_and_update_resource

    def parse_and_update_resource(logical_id: str, resource_json: Any, resources_map: Any, account_id: str, region_name: str) -> Any:
        # A resource whose condition is false has nothing to update (and its references may be gone).
        condition = resource_json.get("Condition") if isinstance(resource_json, dict) else None
        if condition and not resources_map.lazy_condition_map[condition]:
            return None
        return original_update_resource(logical_id, resource_json, resources_map, account_id, region_name)

    parsing.parse_and_update_resource = parse_and_update_resource

    original_update = ResourceMap.update

    def update(self: Any, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
        # moto's update reads the previous parameters and conditions: evaluate the new ones, then put the old state back.
        saved = {k: (dict(v) if type(v) is dict and k != "_parsed_resources" else v) for k, v in self.__dict__.items()}
        old_json = self._resource_json_map
        self._template = template
        if parameters:
            self.input_parameters = parameters
        self.load_mapping()
        self.load_parameters()
        self.load_conditions()
        flipped_off = []
        flipped_on = []
        for name, resource_json in (template.get("Resources") or {}).items():
            condition = resource_json.get("Condition") if isinstance(resource_json, dict) else None
            if not condition or name not in old_json:
                continue
            now = bool(self.lazy_condition_map[condition])
            existing = self._parsed_resources.get(name)
            if now and existing is None:
                self._parsed_resources.pop(name, None)
                flipped_on.append(name)
            elif not now and existing is not None and not isinstance(existing, str):
                flipped_off.append((name, existing))
        parsed = self._parsed_resources
        self.__dict__.clear()
        self.__dict__.update(saved)
        self._parsed_resources = parsed
        original_update(self, template, parameters)
        # Deleted last, as CloudFormation's cleanup does: the updated resources no longer refer to them.
        for name, existing in reversed(flipped_off):
            self._delete_resource(existing, old_json[name])
            self._parsed_resources[name] = None
        # Those nothing refers to (and whose properties did not change) are not created by moto's update.
        for name in flipped_on:
            _ = self[name]

    ResourceMap.update = update  # type: ignore[method-assign]
