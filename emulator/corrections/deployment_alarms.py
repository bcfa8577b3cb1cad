"""deployment-alarms: moto ignores an ECS service's deployment alarms.

On AWS, a deployment whose ``deploymentConfiguration.alarms`` are enabled fails
when one of those CloudWatch alarms is in ``ALARM`` during the deployment or
its bake time; with ``rollback`` ECS returns the service to the last completed
deployment
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html),
and CloudFormation, which waits for the deployment inside the service's
update, fails that update and rolls the stack back to UPDATE_ROLLBACK_COMPLETE
(the CDK documents this for ``AlarmBehavior.ROLLBACK_ON_ALARM``). moto never
looks at the alarms: the deployment completes and the stack update succeeds.

Deployments settle at once on the emulator (service-rollout), so an alarm
judges a deployment when it is in ``ALARM`` as the deployment starts (a test
sets it with ``SetAlarmState``). The failed deployment is kept in the
service's deployments as ``FAILED`` with the alarm's name, the service runs
its previous task definition again, the recorded service deployment (see
service-deployments) ends ``ROLLBACK_SUCCESSFUL`` with the triggered alarms,
and a stack update that carried it gets an ``UPDATE_FAILED`` event for the
service and is rolled back to its previous template and parameters.
"""

from __future__ import annotations

from typing import Any

from ._common import add_resource_event, set_stack_status

NAME = "deployment-alarms"
ITEM = "3"
# It settles the rolled-back deployment as service-rollout does, and ends service-deployments' record.
REQUIRES = ("service-rollout", "service-deployments")
SUMMARY = (
    "a deployment whose alarms are in ALARM fails and rolls back to the previous task "
    "definition; the stack update carrying it rolls back"
)

# Set while CloudFormation rolls a stack back: the rollback's own deployment is not judged.
_state: dict[str, Any] = {"rolling_back": False, "failure": None}


class DeploymentAlarmFailure(Exception):
    """What ECS reports to CloudFormation when an alarm fails a deployment."""

    code = "ServiceDeploymentFailed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _firing(account_id: str, region_name: str, names: list[str]) -> list[str]:
    from moto.cloudwatch.models import cloudwatch_backends

    alarms = cloudwatch_backends[account_id][region_name].alarms
    return [name for name in names if name in alarms and alarms[name].state_value == "ALARM"]


def apply() -> None:
    from moto.cloudformation.models import CloudFormationBackend
    from moto.core.utils import utcnow
    from moto.ecs.models import EC2ContainerServiceBackend

    from . import service_deployments, service_rollout

    original_update = EC2ContainerServiceBackend.update_service

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        if _state["failure"] is not None and not _state["rolling_back"]:
            # The stack update that carried the failed deployment stops there.
            raise DeploymentAlarmFailure(_state["failure"])
        found, _ = self.describe_services(service_properties.get("cluster") or "default", [service_properties.get("service")])
        before = found[0].task_definition if found else None
        service = original_update(self, service_properties)
        alarms = (getattr(service, "deployment_configuration", None) or {}).get("alarms") or {}
        if _state["rolling_back"] or before is None or service.task_definition == before or not alarms.get("enable"):
            return service
        fired = _firing(self.account_id, self.region_name, list(alarms.get("alarmNames") or []))
        if not fired:
            return service
        failed = dict(service.deployments[0]) if service.deployments else {}
        reason = f"ECS deployment {failed.get('id', '')} failed: alarm {', '.join(fired)} in ALARM."
        recorded = service_deployments.latest(self, service.arn)
        if alarms.get("rollback"):
            service.task_definition = before
            service_rollout.settle(service, new_deployment=True)
            service.deployments[0]["rolloutStateReason"] = f"{reason} Rolled back to {before}."
            reason = f"{reason} Rolled back to the last completed deployment."
        failed.update({"status": "ACTIVE", "rolloutState": "FAILED", "rolloutStateReason": reason, "runningCount": 0})
        service.deployments.append(failed)
        if recorded is not None and recorded.get("_id") == failed.get("id"):
            recorded.update(
                {
                    "status": "ROLLBACK_SUCCESSFUL" if alarms.get("rollback") else "FAILED",
                    "statusReason": reason,
                    "alarms": {"status": "TRIGGERED", "alarmNames": list(alarms.get("alarmNames") or []), "triggeredAlarmNames": fired},
                    **({"rollback": {"reason": reason, "startedAt": utcnow()}} if alarms.get("rollback") else {}),
                }
            )
        _state["failure"] = reason
        raise DeploymentAlarmFailure(reason)

    original_execute = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        _state["failure"] = None
        original_execute(self, change_set_name, stack_name)
        failure, _state["failure"] = _state["failure"], None
        if failure is None:
            return
        stack = next((s for s in self.stacks.values() if s.status == "UPDATE_ROLLBACK_FAILED" and failure in (s.stack_status_reason or "")), None)
        if stack is None:
            return
        services = [name for name, resource in stack.resource_map._resource_json_map.items() if resource.get("Type") == "AWS::ECS::Service"]
        for name in services:
            add_resource_event(stack, name, "AWS::ECS::Service", "UPDATE_FAILED", f"Resource handler returned message: \"{failure}\"")
        set_stack_status(stack, "UPDATE_ROLLBACK_IN_PROGRESS", f"The following resource(s) failed to update: [{', '.join(services)}].")
        _state["rolling_back"] = True
        try:
            stack.resource_map.update(stack.template_dict, dict(stack.parameters))
        finally:
            _state["rolling_back"] = False
        set_stack_status(stack, "UPDATE_ROLLBACK_COMPLETE")

    EC2ContainerServiceBackend.update_service = update_service  # type: ignore[method-assign]
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
