"""Corrections to moto 5.2.1 that our deploy sequence depends on.

Each correction lives in its own module of this package and exposes:

- ``NAME``: the name used on the command line (``--without NAME``),
- ``ITEM``: the item of emulator/README.md it corrects,
- ``SUMMARY``: one line for ``--list``,
- ``apply()``: patches moto in-process; called once, before the server starts.

Corrections are applied in the order of ``MODULES``; each one is independent of
the others, so any of them can be left out to show that it matters.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Iterable

MODULES = [
    "delete_base_stack",
    "update_keeps_resources",
    "sub_parameter_diff",
    "ecs_properties",
    "service_rollout",
    "target_health",
    "service_tasks",
    "change_set_execute",
    "failed_create_rollback",
    "pipeline_dates",
    "codebuild_update_project",
    "export_in_use",
    "unimplemented_calls",
    "connections",
    "pipeline_executions",
    "resource_events",
    "role_policy_json",
    "change_set_replacement",
    "security_group_message",
    "stack_parameters_text",
    "alarm_resources",
    "service_deployments",
    "deployment_alarms",
    "one_off_task",
    "scheduler_schedule",
    "conditional_resources_update",
    "elb_quotas",
    "elb_health_metrics",
    "stack_resource_lists",
    "ecr_encryption_configuration",
]


@dataclass(frozen=True)
class Correction:
    name: str
    item: str
    summary: str
    apply: Callable[[], None]


def _load(module_name: str) -> Correction:
    module: ModuleType = importlib.import_module(f"{__name__}.{module_name}")
    return Correction(
        name=module.NAME, item=module.ITEM, summary=module.SUMMARY, apply=module.apply
    )


def all_corrections() -> list[Correction]:
    return [_load(m) for m in MODULES]


def apply_corrections(without: Iterable[str] = ()) -> list[str]:
    """Apply every correction whose name is not in ``without``.

    Returns the names applied. Raises ``ValueError`` for an unknown name.
    """
    corrections = all_corrections()
    known = {c.name for c in corrections}
    skipped = set(without)
    unknown = sorted(skipped - known)
    if unknown:
        raise ValueError(
            f"unknown correction(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    applied = []
    for correction in corrections:
        if correction.name in skipped:
            continue
        correction.apply()
        applied.append(correction.name)
    return applied
