"""export-in-use: moto gap 10 (exports in use are not protected).

moto 5.2.1 deletes a stack whose exports another live stack imports with
``Fn::ImportValue``, and has no ``ListImports``. Our teardown must refuse to
delete a base endpoint whose exports an added endpoint still imports, naming the
importing stacks (it asks ``ListImports``), and a test must be able to show
that CloudFormation itself protects the exports.

What real CloudFormation does (and this correction does): ``DeleteStack``
returns normally, the stack briefly shows ``DELETE_IN_PROGRESS`` and goes back
to its previous status with the StackStatusReason (and a stack event)
``Export <name> cannot be deleted as it is in use by <stack>`` (several
importers are listed as "A, B and C"); nothing is deleted. ``ListImports``
returns the names of the live stacks that import an export, and answers
``ValidationError: Export '<name>' is not imported by any stack.`` when none
does.
"""

from __future__ import annotations

from typing import Any

NAME = "export-in-use"
ITEM = "10"
SUMMARY = (
    "DeleteStack leaves a stack whose exports are imported (status reason 'Export X cannot "
    "be deleted as it is in use by Y'); ListImports"
)

_GONE = {"DELETE_COMPLETE", "ROLLBACK_COMPLETE", "CREATE_PENDING"}


def _import_nodes(node: Any) -> list[Any]:
    found: list[Any] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::ImportValue":
                found.append(value)
            else:
                found.extend(_import_nodes(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_import_nodes(item))
    return found


def imported_names(stack: Any) -> set[str]:
    """Export names a stack imports (evaluated with the stack's own parameters)."""
    from moto.cloudformation.parsing import clean_json

    template = getattr(stack, "template_dict", None) or {}
    names: set[str] = set()
    for section in ("Resources", "Outputs"):
        for node in _import_nodes(template.get(section) or {}):
            try:
                value = clean_json(node, stack.resource_map)
            except Exception:
                continue
            if isinstance(value, str):
                names.add(value)
    return names


def importers(backend: Any, export_name: str, exclude_stack_id: str | None = None) -> list[str]:
    return [
        stack.name
        for stack in backend.stacks.values()
        if stack.stack_id != exclude_stack_id
        and stack.status not in _GONE
        and export_name in imported_names(stack)
    ]


def _joined(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def apply() -> None:
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import CloudFormationBackend
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    original_delete = CloudFormationBackend.delete_stack

    def delete_stack(self: Any, name_or_stack_id: str) -> None:
        stack = self.stacks.get(name_or_stack_id) or next(
            (s for s in self.stacks.values() if s.name == name_or_stack_id), None
        )
        if stack is not None:
            own = [
                name
                for name, export in self.exports.items()
                if export.exporting_stack_id == stack.stack_id
            ]
            for export_name in own:
                users = importers(self, export_name, exclude_stack_id=stack.stack_id)
                if users:
                    reason = (
                        f"Export {export_name} cannot be deleted as it is in use by "
                        f"{_joined(users)}"
                    )
                    previous = stack.status
                    stack._add_stack_event(
                        "DELETE_IN_PROGRESS", resource_status_reason="User Initiated"
                    )
                    stack._add_stack_event(previous, resource_status_reason=reason)
                    stack.stack_status_reason = reason
                    return
        original_delete(self, name_or_stack_id)

    def list_imports(self: Any) -> ActionResult:
        export_name = self._get_param("ExportName")
        users = importers(self.cloudformation_backend, export_name)
        if not users:
            raise ValidationError(
                message=f"Export '{export_name}' is not imported by any stack."
            )
        return ActionResult({"Imports": users})

    CloudFormationBackend.delete_stack = delete_stack  # type: ignore[method-assign]
    if not hasattr(CloudFormationResponse, "list_imports"):
        CloudFormationResponse.list_imports = list_imports  # type: ignore[attr-defined]
