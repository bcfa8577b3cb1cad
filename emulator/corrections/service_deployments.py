"""service-deployments: moto lacks ECS's deployment history.

moto 5.2.1 does not implement ``ListServiceDeployments``,
``DescribeServiceDeployments`` or ``DescribeServiceRevisions``. ECS keeps a
record of every deployment of a service, whoever started it (a stack update,
the pipeline, the console): when it started and finished, the revision it
deployed (task definition and container images), its strategy, and how it
ended (``SUCCESSFUL``, ``ROLLBACK_SUCCESSFUL``, ...) with the alarms that
fired. ``mlops history`` and ``mlops rollback`` read it.

The correction records a deployment each time a service gets a new primary
deployment (create, a new task definition, a forced deployment) and answers
the three calls from those records, newest first. A deployment settles at once
on the emulator (see service-rollout), so it is recorded as finished.
"""

from __future__ import annotations

import copy
from typing import Any

NAME = "service-deployments"
ITEM = "3"
SUMMARY = "ListServiceDeployments, DescribeServiceDeployments and DescribeServiceRevisions answer each service's deployments"



def _store(backend: Any) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, Any]]]:
    """service ARN -> deployments (oldest first), revision ARN -> revision; kept on the
    backend so that a reset of the emulator forgets them with everything else."""
    if not hasattr(backend, "_emulator_deployments"):
        backend._emulator_deployments = ({}, {})
    return backend._emulator_deployments  # type: ignore[no-any-return]


def latest(backend: Any, service_arn: str) -> dict[str, Any] | None:
    """The newest recorded deployment of a service (for other corrections)."""
    records = _store(backend)[0].get(service_arn) or []
    return records[-1] if records else None


def _images(backend: Any, task_definition_arn: str) -> list[dict[str, Any]]:
    try:
        definition = backend.describe_task_definition(task_definition_arn)
    except Exception:  # a deregistered revision moto no longer finds
        return []
    return [
        {"containerName": c.get("name"), "image": c.get("image")}
        for c in definition.container_definitions or []
    ]


def record(backend: Any, service: Any) -> None:
    """Record the service's primary deployment unless it is already recorded."""
    from moto.core.utils import utcnow

    if not service.deployments:
        return
    primary = service.deployments[0]
    deployments, revisions = _store(backend)
    records = deployments.setdefault(service.arn, [])
    if records and records[-1]["_id"] == primary.get("id"):
        return
    now = utcnow()
    suffix = str(primary.get("id", "")).split("/")[-1]
    cluster = service.cluster_arn.split("/")[-1]
    revision_arn = f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:service-revision/{cluster}/{service.name}/{suffix}"
    revisions[revision_arn] = {
        "serviceRevisionArn": revision_arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "taskDefinition": service.task_definition,
        "containerImages": _images(backend, service.task_definition),
        "launchType": service.launch_type,
        "createdAt": now,
    }
    previous = records[-1] if records else None
    configuration = copy.deepcopy(getattr(service, "deployment_configuration", None) or {})
    alarms = configuration.get("alarms") or {}
    records.append(
        {
            "_id": primary.get("id"),
            "serviceDeploymentArn": f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:service-deployment/{cluster}/{service.name}/{suffix}",
            "serviceArn": service.arn,
            "clusterArn": service.cluster_arn,
            "createdAt": now,
            "startedAt": now,
            "finishedAt": now,
            "updatedAt": now,
            "targetServiceRevision": {
                "arn": revision_arn,
                "requestedTaskCount": service.desired_count,
                "runningTaskCount": service.running_count,
                "pendingTaskCount": 0,
            },
            "sourceServiceRevisions": [previous["targetServiceRevision"]] if previous else [],
            "status": "SUCCESSFUL",
            "statusReason": "Service deployment completed.",
            "deploymentConfiguration": configuration,
            **(
                {"alarms": {"status": "MONITORING_COMPLETE", "alarmNames": alarms.get("alarmNames") or []}}
                if alarms.get("enable")
                else {}
            ),
        }
    )


def _public(record_: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record_.items() if not key.startswith("_")}


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.ecs.responses import EC2ContainerServiceResponse

    original_create = EC2ContainerServiceBackend.create_service
    original_update = EC2ContainerServiceBackend.update_service

    def create_service(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = original_create(self, *args, **kwargs)
        record(self, service)
        return service

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        service = original_update(self, service_properties)
        record(self, service)
        return service

    def list_service_deployments(self: Any) -> ActionResult:
        cluster = self._get_param("cluster", "default")
        name = self._get_param("service")
        statuses = self._get_param("status") or []
        services, _ = self.ecs_backend.describe_services(cluster, [name])
        found = services[0] if services else None
        records = list(reversed(_store(self.ecs_backend)[0].get(found.arn, []))) if found else []
        summaries = [
            {
                "serviceDeploymentArn": r["serviceDeploymentArn"],
                "serviceArn": r["serviceArn"],
                "clusterArn": r["clusterArn"],
                "startedAt": r["startedAt"],
                "createdAt": r["createdAt"],
                "finishedAt": r["finishedAt"],
                "targetServiceRevisionArn": r["targetServiceRevision"]["arn"],
                "status": r["status"],
                "statusReason": r["statusReason"],
            }
            for r in records
            if not statuses or r["status"] in statuses
        ]
        return ActionResult({"serviceDeployments": summaries[: int(self._get_param("maxResults") or 20)]})

    def describe_service_deployments(self: Any) -> ActionResult:
        wanted = self._get_param("serviceDeploymentArns") or []
        by_arn = {r["serviceDeploymentArn"]: r for records in _store(self.ecs_backend)[0].values() for r in records}
        found = [_public(by_arn[arn]) for arn in wanted if arn in by_arn]
        failures = [{"arn": arn, "reason": "MISSING"} for arn in wanted if arn not in by_arn]
        return ActionResult({"serviceDeployments": found, "failures": failures})

    def describe_service_revisions(self: Any) -> ActionResult:
        wanted = self._get_param("serviceRevisionArns") or []
        revisions = _store(self.ecs_backend)[1]
        found = [revisions[arn] for arn in wanted if arn in revisions]
        failures = [{"arn": arn, "reason": "MISSING"} for arn in wanted if arn not in revisions]
        return ActionResult({"serviceRevisions": found, "failures": failures})

    EC2ContainerServiceBackend.create_service = create_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.update_service = update_service  # type: ignore[method-assign]
    EC2ContainerServiceResponse.list_service_deployments = list_service_deployments  # type: ignore[attr-defined]
    EC2ContainerServiceResponse.describe_service_deployments = describe_service_deployments  # type: ignore[attr-defined]
    EC2ContainerServiceResponse.describe_service_revisions = describe_service_revisions  # type: ignore[attr-defined]
