"""failed-create-rollback: moto gap 4 (a failed create never rolls back).

moto creates a stack's resources inside ``CreateStack``. When one of them fails
(a listener naming a certificate that ACM does not hold, a listener rule whose
priority is taken, ...) the call answers HTTP 400 and the stack stays in
``CREATE_IN_PROGRESS`` forever with the resources made so far. Real
CloudFormation accepts the call, marks the resource ``CREATE_FAILED`` with the
service's message, deletes what it made and ends in ``ROLLBACK_COMPLETE``.

Our create-endpoint reports the failing resource and its reason from the stack
events and tells the user to delete the stack before retrying; our tests need
that path. With the correction a resource failure gives:

- ``CreateStack`` succeeds (returns the StackId), and so does
  ``ExecuteChangeSet`` of a ``CREATE`` change set (our CLI's path);
- events ``CREATE_FAILED`` for the resource (ResourceStatusReason carries the
  error code and message), ``ROLLBACK_IN_PROGRESS`` for the stack (reason "The
  following resource(s) failed to create: [X]. ..."), ``ROLLBACK_COMPLETE``;
- the partial resources are deleted (those whose model can be deleted), the
  stack exports nothing and stays in ``ROLLBACK_COMPLETE`` until deleted.

In ``CreateStack``, a template-level validation error that CloudFormation
reports synchronously (``No export named X found.``, a missing parameter, an
unsupported GetAtt) still fails the call with ``ValidationError``; the partial
resources are deleted and no stack is left behind, as on AWS. (Executing a
change set has no such early check here: any failure rolls back.)
"""

from __future__ import annotations

from typing import Any

from ._common import (
    add_resource_event,
    drop_exports,
    error_code,
    error_message,
    find_change_set,
    freeze,
    retire_stack_outputs,
    set_stack_status,
)

NAME = "failed-create-rollback"
ITEM = "4"
SUMMARY = (
    "a resource failing in CreateStack gives CREATE_FAILED, a rollback of the partial "
    "resources and ROLLBACK_COMPLETE"
)


def _tag_failing_resource() -> None:
    """Record on the exception which resource was being created (innermost wins)."""
    from moto.cloudformation import parsing

    original = parsing.parse_and_create_resource

    def parse_and_create_resource(
        logical_id: str, resource_json: Any, resources_map: Any, account_id: str, region_name: str
    ) -> Any:
        try:
            return original(logical_id, resource_json, resources_map, account_id, region_name)
        except Exception as exc:
            if getattr(exc, "_emulator_create_failed", None) is None:
                exc._emulator_create_failed = (logical_id, resource_json.get("Type", ""))  # type: ignore[attr-defined]
            raise

    parsing.parse_and_create_resource = parse_and_create_resource


def _roll_back(backend: Any, stack: Any) -> str | None:
    """Delete what the failed create made; the error text if that failed too."""
    freeze(stack.resource_map)
    try:
        stack.resource_map.delete()
    except Exception as exc:
        return error_message(exc)
    finally:
        drop_exports(backend, stack.stack_id)
    return None


def _fail_create(backend: Any, stack: Any, exc: BaseException) -> None:
    """CREATE_FAILED event, rollback of the partial resources, ROLLBACK_COMPLETE."""
    if not stack.events:  # it failed while moto evaluated the exports
        stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    failed = getattr(exc, "_emulator_create_failed", None)
    message = error_message(exc)
    if failed:
        logical_id, resource_type = failed
        add_resource_event(
            stack,
            logical_id,
            resource_type,
            "CREATE_FAILED",
            f'Resource handler returned message: "{message}" '
            f"(HandlerErrorCode: {error_code(exc)})",
        )
        reason = (
            f"The following resource(s) failed to create: [{logical_id}]. "
            "Rollback requested by user."
        )
    else:
        reason = f"{error_code(exc)}: {message}"
    set_stack_status(stack, "ROLLBACK_IN_PROGRESS", reason)
    rollback_error = _roll_back(backend, stack)
    if rollback_error is not None:
        set_stack_status(stack, "ROLLBACK_FAILED", rollback_error)
    else:
        set_stack_status(stack, "ROLLBACK_COMPLETE")
        stack.stack_status_reason = reason
        retire_stack_outputs(stack)


def apply() -> None:
    from moto.cloudformation.exceptions import CloudFormationError
    from moto.cloudformation.models import CloudFormationBackend

    _tag_failing_resource()
    original_create = CloudFormationBackend.create_stack
    original_execute = CloudFormationBackend.execute_change_set

    def create_stack(self: Any, *args: Any, **kwargs: Any) -> Any:
        before = set(self.stacks)
        try:
            return original_create(self, *args, **kwargs)
        except Exception as exc:
            new_ids = [stack_id for stack_id in self.stacks if stack_id not in before]
            if not new_ids:
                raise  # failed before the stack existed (bad template, name taken)
            stack = self.stacks[new_ids[0]]
            if isinstance(exc, CloudFormationError):
                # validation CloudFormation does before it accepts the call
                _roll_back(self, stack)
                self.stacks.pop(stack.stack_id, None)
                raise
            _fail_create(self, stack, exc)
            return stack

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        """A CREATE change set that fails while executing rolls back too."""
        change_set = find_change_set(self, change_set_name, stack_name)
        try:
            return original_execute(self, change_set_name, stack_name)
        except Exception as exc:
            if change_set is None or change_set.change_set_type != "CREATE":
                raise
            stack = self.stacks.get(change_set.stack_id)
            if stack is None:
                raise
            change_set.execution_status = "EXECUTE_FAILED"
            _fail_create(self, stack, exc)
            return None

    CloudFormationBackend.create_stack = create_stack  # type: ignore[method-assign]
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
