"""ecs-properties: moto gap 3 (ECS resources lose their properties).

moto's ``TaskDefinition.create_from_cloudformation_json`` passes only the family,
container definitions, volumes (with ``EFSVolumeConfiguration`` mis-cased, so
dropped) and memory to ``register_task_definition``: a Fargate task definition
comes out ``bridge`` with no cpu, roles, compatibilities or EFS settings. Its
update re-registers the CloudFormation (PascalCase) container definitions as is.
``Service.create_from_cloudformation_json`` passes only cluster, name, desired
count and task definition: the service comes out ``EC2`` with no load
balancers, network configuration, ``enableExecuteCommand``, deployment
configuration or grace period.

Our deploy sequence reads these back (validate step, ``mlops status``) and our
tests check that the templates ask for Fargate, awsvpc, EFS with transit
encryption and a circuit breaker. The correction maps the CloudFormation
property names to the arguments that moto's ``register_task_definition`` /
``create_service`` / ``update_service`` already accept, and stores the three
service settings moto's ``create_service`` has no argument for as the
attributes its serializer reads.
"""

from __future__ import annotations

from typing import Any

from ._common import ecs_backend

NAME = "ecs-properties"
ITEM = "3"
SUMMARY = (
    "ECS TaskDefinition/Service from CloudFormation keep Fargate, awsvpc, cpu/memory, "
    "roles, EFS volumes, load balancers, network and deployment settings"
)

# CloudFormation names whose API spelling is not just the first letter lowered.
_SPECIAL_KEYS = {
    "EFSVolumeConfiguration": "efsVolumeConfiguration",
    "FilesystemId": "fileSystemId",
    "IAM": "iam",
    "FSxWindowsFileServerVolumeConfiguration": "fsxWindowsFileServerVolumeConfiguration",
}
# Maps whose keys are user data (log driver options, labels): kept as written.
_FREEFORM = {"Options", "DockerLabels", "DriverOpts", "Labels"}


def to_api(value: Any) -> Any:
    """CloudFormation property value -> ECS API value (camelCase keys)."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            api_key = _SPECIAL_KEYS.get(key, key[:1].lower() + key[1:])
            result[api_key] = item if key in _FREEFORM else to_api(item)
        return result
    if isinstance(value, list):
        return [to_api(item) for item in value]
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _deployment_configuration(props: dict[str, Any]) -> dict[str, Any] | None:
    config = props.get("DeploymentConfiguration")
    if config is None:
        return None
    result = to_api(config)
    breaker = result.get("deploymentCircuitBreaker")
    if isinstance(breaker, dict):
        for key in ("enable", "rollback"):
            if key in breaker:
                breaker[key] = _bool(breaker[key])
    for key in ("maximumPercent", "minimumHealthyPercent", "bakeTimeInMinutes"):
        if key in result:
            result[key] = int(result[key])
    # The strategies' settings and alarms come from parameters: text until converted.
    for section, numbers in (
        ("canaryConfiguration", {"canaryPercent": float, "canaryBakeTimeInMinutes": int}),
        ("linearConfiguration", {"stepPercent": float, "stepBakeTimeInMinutes": int}),
    ):
        for key, kind in numbers.items():
            if isinstance(result.get(section), dict) and key in result[section]:
                result[section][key] = kind(result[section][key])
    alarms = result.get("alarms")
    if isinstance(alarms, dict):
        for key in ("enable", "rollback"):
            if key in alarms:
                alarms[key] = _bool(alarms[key])
        alarms["alarmNames"] = [str(getattr(name, "name", name)) for name in alarms.get("alarmNames") or []]
    return result


def _load_balancers(props: dict[str, Any]) -> list[dict[str, Any]] | None:
    balancers = props.get("LoadBalancers")
    if balancers is None:
        return None
    result = to_api(balancers)
    for balancer in result:
        if "containerPort" in balancer:
            balancer["containerPort"] = int(balancer["containerPort"])
    return result


def _task_definition_arguments(props: dict[str, Any]) -> dict[str, Any]:
    from moto.ecs.models import TaskDefinition
    from moto.moto_api._internal import mock_random

    family = props.get("Family") or f"task-definition-{int(mock_random.random() * 10**6)}"
    if isinstance(family, TaskDefinition):  # never, but keep the type checker calm
        family = family.family
    return {
        "family": family,
        "container_definitions": to_api(props.get("ContainerDefinitions", [])),
        "volumes": to_api(props.get("Volumes", [])),
        "network_mode": props.get("NetworkMode"),
        "tags": to_api(props.get("Tags")),
        "placement_constraints": to_api(props.get("PlacementConstraints")),
        "requires_compatibilities": props.get("RequiresCompatibilities"),
        "cpu": _str(props.get("Cpu")),
        "memory": _str(props.get("Memory")),
        "task_role_arn": props.get("TaskRoleArn"),
        "execution_role_arn": props.get("ExecutionRoleArn"),
        "proxy_configuration": to_api(props.get("ProxyConfiguration")),
        "inference_accelerators": to_api(props.get("InferenceAccelerators")),
        "runtime_platform": to_api(props.get("RuntimePlatform")),
        "ipc_mode": props.get("IpcMode"),
        "pid_mode": props.get("PidMode"),
        "ephemeral_storage": to_api(props.get("EphemeralStorage")),
    }


def _cluster_name(props: dict[str, Any]) -> str:
    from moto.ecs.models import Cluster

    cluster = props.get("Cluster", "default")
    return cluster.name if isinstance(cluster, Cluster) else str(cluster)


def _task_definition_ref(props: dict[str, Any]) -> str | None:
    from moto.ecs.models import TaskDefinition

    task_definition = props.get("TaskDefinition")
    if isinstance(task_definition, TaskDefinition):
        return task_definition.arn
    return task_definition


def _set_service_extras(service: Any, props: dict[str, Any]) -> None:
    """Settings ``create_service`` has no argument for; the serializer reads them."""
    if "EnableExecuteCommand" in props:
        service.enable_execute_command = _bool(props["EnableExecuteCommand"])
    deployment_configuration = _deployment_configuration(props)
    if deployment_configuration is not None:
        service.deployment_configuration = deployment_configuration
    if "HealthCheckGracePeriodSeconds" in props:
        service.health_check_grace_period_seconds = int(props["HealthCheckGracePeriodSeconds"])


def _create_service(
    resource_name: str, props: dict[str, Any], account_id: str, region_name: str
) -> Any:
    backend = ecs_backend(account_id, region_name)
    desired = props.get("DesiredCount")
    service = backend.create_service(
        _cluster_name(props),
        props.get("ServiceName") or resource_name,
        # CloudFormation's default for a replica service is 1
        1 if desired is None else int(desired),
        task_definition_str=_task_definition_ref(props),
        load_balancers=_load_balancers(props),
        scheduling_strategy=props.get("SchedulingStrategy"),
        tags=to_api(props.get("Tags")),
        deployment_controller=to_api(props.get("DeploymentController")),
        launch_type=props.get("LaunchType"),
        service_registries=to_api(props.get("ServiceRegistries")),
        platform_version=props.get("PlatformVersion"),
        propagate_tags=props.get("PropagateTags") or "NONE",
        network_configuration=to_api(props.get("NetworkConfiguration")),
        role_arn=props.get("Role"),
    )
    _set_service_extras(service, props)
    return service


def apply() -> None:
    from moto.ecs.models import Cluster, Service, TaskDefinition

    def task_definition_create(
        cls: type,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        props = cloudformation_json["Properties"]
        backend = ecs_backend(account_id, region_name)
        return backend.register_task_definition(**_task_definition_arguments(props))

    def task_definition_update(
        cls: type,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        # A task definition is immutable: any change registers a new revision
        # and the old one is deregistered, as CloudFormation does.
        props = cloudformation_json["Properties"]
        backend = ecs_backend(account_id, region_name)
        new = backend.register_task_definition(**_task_definition_arguments(props))
        if original_resource is not None and original_resource.arn != new.arn:
            backend.deregister_task_definition(original_resource.arn)
        return new

    def service_create(
        cls: type,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        return _create_service(
            resource_name, cloudformation_json["Properties"], account_id, region_name
        )

    def service_update(
        cls: type,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        props = cloudformation_json["Properties"]
        backend = ecs_backend(account_id, region_name)
        cluster_name = _cluster_name(props)
        wanted_name = props.get("ServiceName") or original_resource.name
        same_cluster = original_resource.cluster_arn == Cluster(
            cluster_name.split("/")[-1], account_id, region_name
        ).arn
        if not same_cluster or wanted_name != original_resource.name:
            # replacement: a new service, then the old one goes
            new = _create_service(new_resource_name, props, account_id, region_name)
            backend.delete_service(
                original_resource.cluster_name, original_resource.name, force=True
            )
            return new
        desired = props.get("DesiredCount")
        # The new deployment runs with the new deployment configuration (strategy, alarms).
        _set_service_extras(original_resource, props)
        service = backend.update_service(
            {
                "cluster": cluster_name,
                "service": original_resource.name,
                "task_definition": _task_definition_ref(props),
                "desired_count": _int(desired),
                "load_balancers": _load_balancers(props),
                "network_configuration": to_api(props.get("NetworkConfiguration")),
                "platform_version": props.get("PlatformVersion"),
            }
        )
        _set_service_extras(service, props)
        return service

    TaskDefinition.create_from_cloudformation_json = classmethod(task_definition_create)  # type: ignore[method-assign,assignment]
    TaskDefinition.update_from_cloudformation_json = classmethod(task_definition_update)  # type: ignore[method-assign,assignment]
    Service.create_from_cloudformation_json = classmethod(service_create)  # type: ignore[method-assign,assignment]
    Service.update_from_cloudformation_json = classmethod(service_update)  # type: ignore[method-assign,assignment]
