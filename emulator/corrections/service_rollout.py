"""service-rollout: moto gap 3 (a service never reaches its desired count).

moto's ECS service does not run tasks. A service created with ``desiredCount``
N reports ``runningCount`` 0 (or ``MOTO_ECS_SERVICE_RUNNING``, one number for
every service) and its primary deployment stays ``IN_PROGRESS`` forever; after
``UpdateService`` it reports ``runningCount`` = desired but keeps the primary
deployment of its creation (old task definition, old desired count, old
rollout state). Our validate step waits until running = desired and the
primary deployment's ``rolloutState`` is ``COMPLETED`` for the current task
definition, so it would wait forever (or pass on stale data).

Like the CloudFormation calls, which complete inside the call, a service
settles at once: after create and update it reports running = desired, pending
0, and one PRIMARY deployment for its current task definition with
``rolloutState`` ``COMPLETED`` (a new deployment id when the task definition
changed or a new deployment was forced).
"""

from __future__ import annotations

from typing import Any

NAME = "service-rollout"
ITEM = "3"
SUMMARY = (
    "an ECS service reports running = desired and a COMPLETED primary deployment "
    "for its current task definition"
)


def settle(service: Any, new_deployment: bool = False) -> None:
    from moto.core.utils import utcnow
    from moto.moto_api._internal import mock_random

    desired = int(service.desired_count or 0)
    service.running_count = desired
    service.pending_count = 0
    if (service.deployment_controller or {}).get("type", "ECS") != "ECS":
        return
    now = utcnow()
    previous = service.deployments[0] if service.deployments else None
    if (
        previous is None
        or new_deployment
        or previous.get("taskDefinition") != service.task_definition
    ):
        deployment_id = f"ecs-svc/{mock_random.randint(0, 32**12)}"
        created = now
    else:
        deployment_id = previous["id"]
        created = previous.get("createdAt", now)
    network = getattr(service, "network_configuration", None) or None
    service.deployments = [
        {
            "id": deployment_id,
            "status": "PRIMARY",
            "taskDefinition": service.task_definition,
            "desiredCount": desired,
            "pendingCount": 0,
            "runningCount": desired,
            "failedTasks": 0,
            "createdAt": created,
            "updatedAt": now,
            "launchType": service.launch_type,
            "platformVersion": service.platform_version,
            "platformFamily": "EC2" if service.launch_type == "EC2" else "FARGATE",
            "networkConfiguration": network,
            "rolloutState": "COMPLETED",
            "rolloutStateReason": f"ECS deployment {deployment_id} completed.",
        }
    ]


def apply() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    original_create = EC2ContainerServiceBackend.create_service
    original_update = EC2ContainerServiceBackend.update_service

    def create_service(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = original_create(self, *args, **kwargs)
        settle(service, new_deployment=True)
        return service

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        forced = bool(service_properties.get("force_new_deployment"))
        service = original_update(self, service_properties)
        settle(service, new_deployment=forced)
        return service

    EC2ContainerServiceBackend.create_service = create_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.update_service = update_service  # type: ignore[method-assign]
