"""ecs-traffic-shift: moto gap 3 (a traffic-shifting deployment moves no traffic).

With a BLUE_GREEN, CANARY or LINEAR strategy, ECS starts the new revision in the
target group that serves no production traffic, moves the production listener
rule's weights to it, and leaves them there once the deployment completes: after
one deployment the alternate target group serves 100% and the primary 0%, after
the next one the primary again
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html).
moto moves nothing: the rule keeps the weights it was created with and the tasks
register in the primary target group, so a stack update that writes the template's
weights back (CloudFormation does, whenever the rule resource changes) looks harmless.

Each new completed deployment of such a service (not its creation: the first
revision starts in the primary target group) sets the production rule's weights
to 100 for the target group that served none and 0 for the other, and the
service's tasks register in that target group from then on, whatever the rule
says later: the rule is what CloudFormation writes, the tasks are where ECS put them.
"""

from __future__ import annotations

from typing import Any

from ._common import elbv2_backend

NAME = "ecs-traffic-shift"
ITEM = "3"
REQUIRES = ("target-health",)
SUMMARY = (
    "a traffic-shifting deployment moves the production listener rule's weights "
    "to the target group that served none, and the tasks with them"
)

SHIFTING_STRATEGIES = {"BLUE_GREEN", "CANARY", "LINEAR"}


def _shift_settings(service: Any) -> tuple[str, str, str] | None:
    """(rule ARN, primary, alternate target group) of a traffic-shifting service."""
    strategy = (getattr(service, "deployment_configuration", None) or {}).get("strategy")
    if strategy not in SHIFTING_STRATEGIES:
        return None
    for balancer in service.load_balancers or []:
        advanced = balancer.get("advancedConfiguration") or {}
        rule = advanced.get("productionListenerRule")
        alternate = advanced.get("alternateTargetGroupArn")
        primary = balancer.get("targetGroupArn")
        if rule and alternate and primary:
            return str(rule), str(primary), str(alternate)
    return None


def _find_rule(service: Any, rule_arn: str) -> Any:
    elb = elbv2_backend(service._account_id, service.region_name)
    try:
        found = elb.describe_rules(listener_arn=None, rule_arns=[rule_arn])
    except Exception:
        return None
    return found[0] if found else None


def _set_weights(rule: Any, weights: list[tuple[str, int]]) -> None:
    """ECS rewrites the rule's forward action as a weighted one over both target groups."""
    from moto.elbv2.models import FakeAction

    actions = []
    for action in rule.actions:
        data = dict(action.data)
        if data.get("Type") == "forward":
            forward = dict(data.get("ForwardConfig") or {})
            forward["TargetGroups"] = [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in weights]
            data["ForwardConfig"] = forward
            data.pop("TargetGroupArn", None)
        actions.append(FakeAction(data))
    rule.actions = actions


def move_targets(service: Any) -> None:
    """Registers the service's tasks in the target group its last shift moved them to."""
    live = getattr(service, "_emulator_serving_target_group", None)
    registered: dict[str, list[str]] = getattr(service, "_emulator_targets", None) or {}
    if not live or not registered:
        return
    elb = elbv2_backend(service._account_id, service.region_name)
    ips: list[str] = []
    port = None
    for arn, ids in list(registered.items()):
        group = elb.target_groups.get(arn)
        for ip in ids:
            if group is not None and ip in group.targets:
                port = port or group.targets[ip].get("Port")
                if arn != live:
                    group.targets.pop(ip, None)
            if ip not in ips:
                ips.append(ip)
    target = elb.target_groups.get(live)
    if target is None:
        return
    for ip in ips:
        target.targets[ip] = {"Id": ip, "Port": port or target.port}
        target.deregistered_targets.pop(ip, None)
    service._emulator_targets = {live: ips}


def shift(service: Any) -> None:
    """After a new completed deployment of a traffic-shifting service, moves the traffic as ECS does."""
    settings = _shift_settings(service)
    deployment = service.deployments[0] if getattr(service, "deployments", None) else None
    if deployment is None:
        return
    seen = getattr(service, "_emulator_shift_deployment", None)
    service._emulator_shift_deployment = deployment.get("id")
    if settings is None and seen != deployment.get("id") and getattr(service, "_emulator_serving_target_group", None):
        # A rolling deployment registers its tasks in the primary target group again.
        from . import target_health

        service._emulator_serving_target_group = None
        target_health.sync_targets(service)
        return
    if settings is None or seen is None or seen == deployment.get("id") or deployment.get("rolloutState") != "COMPLETED":
        return
    rule_arn, primary, alternate = settings
    serving = getattr(service, "_emulator_serving_target_group", None) or primary
    green = alternate if serving == primary else primary
    rule = _find_rule(service, rule_arn)
    if rule is not None:
        _set_weights(rule, [(primary, 100 if green == primary else 0), (alternate, 100 if green == alternate else 0)])
    service._emulator_serving_target_group = green
    move_targets(service)


def apply() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    from . import target_health

    original_sync = target_health.sync_targets

    def sync_targets(service: Any) -> None:
        original_sync(service)
        move_targets(service)

    # target_health's wrappers look sync_targets up in their module at each call.
    target_health.sync_targets = sync_targets  # type: ignore[assignment]

    original_create = EC2ContainerServiceBackend.create_service
    original_update = EC2ContainerServiceBackend.update_service

    def create_service(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = original_create(self, *args, **kwargs)
        shift(service)
        return service

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        service = original_update(self, service_properties)
        shift(service)
        return service

    EC2ContainerServiceBackend.create_service = create_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.update_service = update_service  # type: ignore[method-assign]
