"""scheduler-schedule: moto 5.2.1 has no CloudFormation model for AWS::Scheduler::Schedule.

A stack with a schedule "succeeds" (the resource is skipped with a warning)
but no schedule exists. The correction gives the type a model that creates,
replaces and deletes the schedule through moto's own EventBridge Scheduler
backend; the template's properties have the API's names already (Target, Arn,
RoleArn, EcsParameters, ...) but for ``awsvpcConfiguration``.
"""

from __future__ import annotations

from typing import Any

from ._common import ignore_not_found

NAME = "scheduler-schedule"
ITEM = "AWS::Scheduler::Schedule (no CloudFormation model)"
SUMMARY = "AWS::Scheduler::Schedule resources create, update and delete an EventBridge Scheduler schedule"


def _backend(account_id: str, region_name: str) -> Any:
    from moto.scheduler.models import scheduler_backends

    return scheduler_backends[account_id][region_name]


def _ints(value: Any) -> Any:
    """CloudFormation passes numbers from templates as strings; the API has integers."""
    if isinstance(value, dict):
        return {k: (int(v) if k in {"TaskCount", "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "MaximumWindowInMinutes"} and isinstance(v, str) else _ints(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def _api_target(target: dict[str, Any]) -> dict[str, Any]:
    """The one spelling that differs: the API's ``awsvpcConfiguration`` is ``AwsvpcConfiguration`` in CloudFormation."""
    network = ((target.get("EcsParameters") or {}).get("NetworkConfiguration")) or {}
    if "AwsvpcConfiguration" in network:
        network["awsvpcConfiguration"] = network.pop("AwsvpcConfiguration")
    return target


def apply() -> None:
    from moto.cloudformation import parsing
    from moto.core.common_models import BaseModel, CloudFormationModel

    class ScheduleResource(CloudFormationModel, BaseModel):
        def __init__(self, name: str, group: str | None, arn: str):
            self.name = name
            self.group = group
            self.arn = arn

        @property
        def physical_resource_id(self) -> str:
            return self.name

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::Scheduler::Schedule"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "Arn"

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            if attribute_name == "Arn":
                return self.arn
            raise NotImplementedError(attribute_name)

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
        ) -> "ScheduleResource":
            props = _ints(cloudformation_json.get("Properties", {}))
            name = props.get("Name") or resource_name
            schedule = _backend(account_id, region_name).create_schedule(
                description=props.get("Description"),
                end_date=props.get("EndDate"),
                flexible_time_window=props.get("FlexibleTimeWindow") or {"Mode": "OFF"},
                group_name=props.get("GroupName"),
                kms_key_arn=props.get("KmsKeyArn"),
                name=name,
                schedule_expression=props.get("ScheduleExpression"),
                schedule_expression_timezone=props.get("ScheduleExpressionTimezone"),
                start_date=props.get("StartDate"),
                state=props.get("State") or "ENABLED",
                target=_api_target(props.get("Target") or {}),
                action_after_completion=props.get("ActionAfterCompletion"),
            )
            return cls(name, props.get("GroupName"), schedule.arn)

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[misc]
            cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> "ScheduleResource":
            ignore_not_found(_backend(account_id, region_name).delete_schedule, original_resource.group, original_resource.name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            group = (cloudformation_json or {}).get("Properties", {}).get("GroupName")
            ignore_not_found(_backend(account_id, region_name).delete_schedule, group if isinstance(group, str) else None, resource_name)

        def delete(self, account_id: str, region_name: str) -> None:
            ignore_not_found(_backend(account_id, region_name).delete_schedule, self.group, self.name)

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
