"""Corrections to moto 5.2.1 that our deploy sequence depends on.

Each correction lives in its own module of this package and exposes:

- ``NAME``: the name used on the command line (``--without NAME``),
- ``ITEM``: the item of emulator/README.md it corrects,
- ``SUMMARY``: one line for ``--list``,
- ``apply()``: patches moto in-process; called once, before the server starts,
- ``REQUIRES`` (optional): names of the corrections it builds on (it imports
  them, or relies on what they change); they come earlier in ``MODULES``.

Corrections are applied in the order of ``MODULES``. Any of them can be left
out to show that it matters; leaving one out also leaves out every correction
that requires it (directly or not), and ``left_out`` says which.
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
    "efs_access_points",
    "one_off_task",
    "scheduler_schedule",
    "conditional_resources_update",
    "elb_quotas",
    "elb_health_metrics",
    "ecs_traffic_shift",
    "stack_resource_lists",
    "ecr_encryption_configuration",
    "change_set_conditions",
    "stack_last_updated",
    "ecr_image_digest",
    "build_duration",
    "stack_duration",
    "managed_instances",
    "gpu_tasks",
    "gpu_container_instances",
    "s3_bucket_update_tags",
]


@dataclass(frozen=True)
class Correction:
    name: str
    item: str
    summary: str
    apply: Callable[[], None]
    requires: tuple[str, ...] = ()


def _load(module_name: str) -> Correction:
    module: ModuleType = importlib.import_module(f"{__name__}.{module_name}")
    return Correction(
        name=module.NAME,
        item=module.ITEM,
        summary=module.SUMMARY,
        apply=module.apply,
        requires=tuple(getattr(module, "REQUIRES", ())),
    )


def all_corrections() -> list[Correction]:
    return [_load(m) for m in MODULES]


def left_out(without: Iterable[str]) -> list[str]:
    """The corrections left out for ``without``, in ``MODULES`` order.

    These are the names given plus every correction that requires one of them.
    Raises ``ValueError`` for an unknown name, or for a requirement that is not
    a correction listed earlier.
    """
    corrections = all_corrections()
    known = {c.name for c in corrections}
    unknown = sorted(set(without) - known)
    if unknown:
        raise ValueError(
            f"unknown correction(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    skipped = set(without)
    earlier: set[str] = set()
    for correction in corrections:
        missing = [name for name in correction.requires if name not in earlier]
        if missing:
            raise ValueError(
                f"{correction.name} requires {', '.join(missing)}, which is not a correction listed before it"
            )
        if skipped & set(correction.requires):
            skipped.add(correction.name)
        earlier.add(correction.name)
    return [c.name for c in corrections if c.name in skipped]


def apply_corrections(without: Iterable[str] = ()) -> list[str]:
    """Apply every correction not left out for ``without`` (see ``left_out``).

    Returns the names applied. Raises ``ValueError`` for an unknown name.
    """
    skipped = set(left_out(without))
    applied = []
    for correction in all_corrections():
        if correction.name in skipped:
            continue
        correction.apply()
        applied.append(correction.name)
    return applied
