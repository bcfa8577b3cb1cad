"""alarm-resources: moto has no CloudFormation model for ``AWS::CloudWatch::Alarm``.

moto skips the type (a warning, like item 6): a stack's alarms never exist, so
``SetAlarmState`` on them fails and an ECS service's deployment alarms name
nothing. Our endpoint stacks declare three alarms that judge every rollout.

The alarms' metrics name their target group by ``Fn::GetAtt TargetGroup.TargetGroupFullName``,
which moto's target group model does not answer (``AttributeError``); the
correction answers it as Elastic Load Balancing does (``targetgroup/NAME/ID``,
the end of the ARN).

The correction gives the type a model that calls moto's ``put_metric_alarm``
(metric math queries included) and answers the alarm's name as its physical
id, as CloudFormation does for ``Ref``. An update keeps the alarm's state, as
updating an alarm's configuration in CloudWatch does until it is evaluated
again; a delete removes the alarm.
"""

from __future__ import annotations

from typing import Any

NAME = "alarm-resources"
ITEM = "6"
SUMMARY = "AWS::CloudWatch::Alarm resources exist (put_metric_alarm); Ref answers the alarm's name"

_MODELS: list[type] = []


def _backend(account_id: str, region_name: str) -> Any:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[account_id][region_name]


def _queries(metrics: Any) -> list[Any] | None:
    from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat

    if not metrics:
        return None
    queries = []
    for query in metrics:
        stat = query.get("MetricStat")
        metric_stat = None
        if stat:
            metric = stat.get("Metric") or {}
            dimensions = [Dimension(d.get("Name"), str(d.get("Value"))) for d in metric.get("Dimensions") or []]
            metric_stat = MetricStat(
                Metric(metric.get("MetricName"), metric.get("Namespace"), dimensions),
                str(stat.get("Period")),
                stat.get("Stat"),
                stat.get("Unit"),
            )
        queries.append(
            MetricDataQuery(
                query_id=query.get("Id"),
                label=query.get("Label"),
                period=query.get("Period"),
                return_data=str(query.get("ReturnData", True)).lower(),
                expression=query.get("Expression"),
                metric_stat=metric_stat,
            )
        )
    return queries


def apply() -> None:
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel

    class AlarmResource(CloudFormationModel):
        """What the stack keeps of an alarm: its name."""

        def __init__(self, name: str) -> None:
            self.name = name

        @property
        def physical_resource_id(self) -> str:
            return self.name

        @staticmethod
        def cloudformation_name_type() -> str:
            return "AlarmName"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::CloudWatch::Alarm"

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
        ) -> "AlarmResource":
            props = cloudformation_json.get("Properties") or {}
            name = props.get("AlarmName") or resource_name
            backend = _backend(account_id, region_name)
            previous = backend.alarms.get(name)
            minutes = int(props.get("EvaluationPeriods") or 1)
            backend.put_metric_alarm(
                name=name,
                namespace=props.get("Namespace"),
                metric_name=props.get("MetricName"),
                comparison_operator=props.get("ComparisonOperator"),
                evaluation_periods=minutes,
                period=int(props["Period"]) if props.get("Period") else None,
                threshold=float(props.get("Threshold") or 0),
                statistic=props.get("Statistic"),
                description=props.get("AlarmDescription"),
                dimensions=[{"name": d.get("Name"), "value": d.get("Value")} for d in props.get("Dimensions") or []],
                alarm_actions=props.get("AlarmActions") or [],
                metric_data_queries=_queries(props.get("Metrics")),
                datapoints_to_alarm=int(props["DatapointsToAlarm"]) if props.get("DatapointsToAlarm") else None,
                extended_statistic=props.get("ExtendedStatistic"),
                treat_missing_data=props.get("TreatMissingData"),
            )
            if previous is not None:
                alarm = backend.alarms[name]
                alarm.state_value = previous.state_value
                alarm.state_reason = previous.state_reason
                alarm.state_reason_data = previous.state_reason_data
                alarm.state_updated_timestamp = previous.state_updated_timestamp
            return cls(name)

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[misc]
            cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> "AlarmResource":
            props = cloudformation_json.get("Properties") or {}
            name = props.get("AlarmName") or new_resource_name
            if original_resource is not None and original_resource.name != name:
                _backend(account_id, region_name).delete_alarms([original_resource.name])
            return cls.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            _backend(account_id, region_name).delete_alarms([resource_name])

    from moto.elbv2.models import FakeTargetGroup

    def target_group_has_attr(cls: type, attr: str) -> bool:
        return attr in ("TargetGroupFullName", "TargetGroupName", "TargetGroupArn")

    def target_group_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name == "TargetGroupFullName":
            return self.arn.split(":")[-1]
        if attribute_name == "TargetGroupName":
            return self.name
        if attribute_name == "TargetGroupArn":
            return self.arn
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        raise UnformattedGetAttTemplateException()

    FakeTargetGroup.has_cfn_attr = classmethod(target_group_has_attr)  # type: ignore[method-assign,assignment]
    FakeTargetGroup.get_cfn_attribute = target_group_attribute  # type: ignore[attr-defined]
    # CloudFormationModel.__subclasses__() holds classes weakly: keep this one alive.
    _MODELS.append(AlarmResource)
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
