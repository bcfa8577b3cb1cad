"""change-set-execute: moto gap: change sets work only partly.

Our CLI creates and updates every stack through a change set (it shows the
changes, then executes them). moto 5.2.1 executes a change set by updating the
stack's resource map only:

- a stack created from a ``CREATE`` change set keeps the empty template it was
  made with: no Outputs, no exports, no Description; and it cannot import
  (``Fn::ImportValue`` finds no export: moto made it without the region's list); an ``UPDATE`` keeps the old outputs and the stack's
  recorded template parameters;
- the change set's ``Changes`` ignore its parameters: an update of APITag or
  DesiredCount lists no change at all;
- ``UsePreviousValue`` hands back the parsed value of a CommaDelimitedList
  parameter (our AZs, subnet blocks) as a list, and the execution fails with
  "'list' object has no attribute 'split'".

The correction keeps change set parameters as text, and executes a change set the way ``CreateStack``/``UpdateStack``
finish a stack: the stack takes the change set's template and parameters, its
outputs are evaluated again and its exports registered (export names must stay
unique); ``*_IN_PROGRESS`` and ``*_COMPLETE`` events and statuses as usual. A
failed ``UPDATE`` execution leaves the stack ``UPDATE_ROLLBACK_FAILED`` with the
reason and an ``UPDATE_FAILED`` resource event (moto cannot roll an update
back); a failed ``CREATE`` is rolled back by failed-create-rollback. The
``Changes`` of an ``UPDATE`` change set are computed with its parameters, so
they list the resources a parameter change modifies.
"""

from __future__ import annotations

from typing import Any

from ._common import (
    add_resource_event,
    drop_exports,
    error_code,
    error_message,
    find_change_set,
    parameter_text,
    set_stack_status,
)

NAME = "change-set-execute"
ITEM = "-"  # change sets work only partly (see emulator/README.md)
SUMMARY = (
    "ExecuteChangeSet gives the stack its template, parameters, outputs and exports; "
    "Changes include parameter-driven modifications"
)


def apply() -> None:
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import Change, ChangeSet, CloudFormationBackend

    def diff(self: Any) -> list[Any]:
        parameters = self.parameters if self.change_set_type == "UPDATE" else None
        resource_map = self.stack.resource_map
        actions = resource_map.build_resource_diff(self.template_dict, parameters)
        new = self.template_dict.get("Resources") or {}
        old = resource_map._resource_json_map
        changes = []
        for action in ("Add", "Modify", "Remove"):
            for name in actions[action]:
                source = old if action == "Remove" else new
                changes.append(
                    Change(
                        action=action,
                        logical_resource_id=name,
                        resource_type=source[name]["Type"],
                    )
                )
        return changes

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = find_change_set(self, change_set_name, stack_name)
        if change_set is None:
            raise ValidationError(stack_name)
        stack = self.stacks[change_set.stack_id]
        creating = change_set.change_set_type == "CREATE"
        operation = "CREATE" if creating else "UPDATE"
        stack._add_stack_event(f"{operation}_IN_PROGRESS", resource_status_reason="User Initiated")
        stack.status = f"{operation}_IN_PROGRESS"
        change_set.execution_status = "EXECUTE_IN_PROGRESS"
        # moto makes the stack of a CREATE change set without the region's exports
        stack.cross_stack_resources = self.exports
        stack.resource_map.cross_stack_resources = self.exports
        try:
            change_set.apply()
        except Exception as exc:
            if creating:
                raise  # failed-create-rollback rolls a failed create back
            failed = getattr(exc, "_emulator_create_failed", None)
            if failed:
                add_resource_event(stack, failed[0], failed[1], "UPDATE_FAILED", error_message(exc))
            change_set.execution_status = "EXECUTE_FAILED"
            set_stack_status(
                stack, "UPDATE_ROLLBACK_FAILED", f"{error_code(exc)}: {error_message(exc)}"
            )
            return
        stack.template = change_set.template
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.parameters = dict(change_set.parameters)
        stack.output_map = stack._create_output_map()
        drop_exports(self, stack.stack_id)
        self._validate_export_uniqueness(stack)
        for export in stack.exports:
            self.exports[export.name] = export
        change_set.execution_status = "EXECUTE_COMPLETE"
        stack.stack_status_reason = None
        set_stack_status(stack, f"{operation}_COMPLETE")

    original_create_change_set = CloudFormationBackend.create_change_set

    def create_change_set(self: Any, *args: Any, **kwargs: Any) -> Any:
        # UsePreviousValue hands back the resolved value: a list for a
        # CommaDelimitedList, a number for a Number. Parameters are text.
        parameters = kwargs.get("parameters")
        if isinstance(parameters, dict):
            kwargs["parameters"] = {key: parameter_text(value) for key, value in parameters.items()}
        return original_create_change_set(self, *args, **kwargs)

    ChangeSet.diff = diff  # type: ignore[method-assign]
    CloudFormationBackend.create_change_set = create_change_set  # type: ignore[method-assign]
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
