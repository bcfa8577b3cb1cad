"""elb-health-metrics: target health in CloudWatch, as Elastic Load Balancing publishes it (item 12).

moto publishes no metric for its load balancers, so ``GetMetricData`` answers
no datapoints for ``AWS/ApplicationELB``. Reading the health of many target
groups in one ``GetMetricData`` call is how ``mlops status`` stays cheap over
many endpoints: Elastic Load Balancing throttles its Describe* calls ("Request
throttling for the ELB API",
https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html:
a bucket of 40 tokens refilled at 10 a second), so a hundred
``DescribeTargetHealth`` calls cannot be made at once.

AWS ("CloudWatch metrics for your Application Load Balancer",
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html):
``HealthyHostCount`` ("the number of targets that are considered healthy") and
``UnHealthyHostCount`` ("the number of targets that are considered unhealthy")
are published every 60 seconds, when health checks are enabled, with the
dimension sets {TargetGroup, LoadBalancer} and {TargetGroup, AvailabilityZone,
LoadBalancer}. ``TargetGroup`` is the end of the target group's ARN
(``targetgroup/NAME/ID``), ``LoadBalancer`` the end of the load balancer's
(``app/NAME/ID``).

The correction answers, from the elbv2 backend of the same account and region,
each ``MetricStat`` query of ``AWS/ApplicationELB`` ``HealthyHostCount`` or
``UnHealthyHostCount`` whose dimensions are exactly one of those sets:

- the target group is the one whose ARN ends with ``:TargetGroup``; it must be
  attached to the load balancer whose ARN ends with ``:loadbalancer/LoadBalancer``
  and have health checks enabled, else the metric does not exist (no datapoints);
- ``HealthyHostCount`` counts its targets in state ``healthy``;
  ``UnHealthyHostCount`` those in ``unhealthy`` or ``unhealthy.draining``
  (failing their health checks). ``initial`` (not checked yet), ``draining``,
  ``unused`` and ``unavailable`` targets are considered neither healthy nor
  unhealthy, so neither count includes them;
- with ``AvailabilityZone``: only the targets in that zone count (an IP target
  by the subnet of the target group's VPC holding its address, an instance by
  its placement); a target whose zone cannot be told (a Lambda function, an
  address outside the VPC's subnets) counts in every zone. A zone the load
  balancer is not in has no metric.

The emulator keeps no history: the count is today's, sampled once per whole
minute. A sample exists for every minute in [StartTime, EndTime) that has
ended by the time of the call; StartTime is first rounded down as the
CloudWatch API reference ("GetMetricData") says: whole minute under 15 days
ago, 5 minutes under 63, else the hour. Each ``Period`` with at least one
sample is a datapoint: Minimum, Maximum, Average and percentiles answer the
count, ``Sum`` the count times the samples, ``SampleCount`` the samples. ``Unit`` other than ``Count`` matches
nothing. ``Label``, ``ReturnData``, ``Id`` and ``ScanBy`` are honoured and the
status is ``Complete``.

Every other query goes to moto's own code, unchanged; a request mixing both is
split, and the answers come back in the order of the queries (a math
expression naming one of ours sees its values).
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from ._common import ec2_backend, elbv2_backend

NAME = "elb-health-metrics"
ITEM = "12"
SUMMARY = (
    "GetMetricData answers AWS/ApplicationELB HealthyHostCount/UnHealthyHostCount per target group "
    "from the targets' health"
)

NAMESPACE = "AWS/ApplicationELB"
METRICS = {"HealthyHostCount": {"healthy"}, "UnHealthyHostCount": {"unhealthy", "unhealthy.draining"}}
DIMENSION_SETS = ({"TargetGroup", "LoadBalancer"}, {"TargetGroup", "LoadBalancer", "AvailabilityZone"})
SAMPLE = timedelta(seconds=60)


def _dimensions(query: dict[str, Any]) -> dict[str, str] | None:
    """The dimensions of one of our queries by name, or None when the query is not ours."""
    stat = query.get("MetricStat")
    if not stat:
        return None
    metric = stat.get("Metric") or {}
    if metric.get("Namespace") != NAMESPACE or metric.get("MetricName") not in METRICS:
        return None
    listed = metric.get("Dimensions") or []
    names = [d.get("Name") for d in listed]
    if len(names) != len(set(names)) or set(names) not in DIMENSION_SETS:
        return None
    return {d["Name"]: d.get("Value", "") for d in listed}


def rounded_start(start: datetime, now: datetime) -> datetime:
    """StartTime rounded down as the GetMetricData API reference says."""
    age = now - start
    if age < timedelta(days=15):
        step = 60
    elif age < timedelta(days=63):
        step = 300
    else:
        step = 3600
    epoch = datetime(1970, 1, 1, tzinfo=start.tzinfo)
    seconds = int((start - epoch).total_seconds())
    return epoch + timedelta(seconds=seconds - seconds % step)


def _ceil_minute(moment: datetime) -> datetime:
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + SAMPLE


def samples_in(low: datetime, high: datetime, last: datetime) -> int:
    """Whole-minute samples m with low <= m < high and m <= last."""
    first = _ceil_minute(low)
    end = min(high, last + timedelta(microseconds=1))
    if first >= end:
        return 0
    return int((end - first - timedelta(microseconds=1)) // SAMPLE) + 1


class TargetHealthIndex:
    """Target health per target group, read once per GetMetricData call."""

    def __init__(self, account_id: str, region_name: str) -> None:
        self._elb = elbv2_backend(account_id, region_name)
        self._ec2 = ec2_backend(account_id, region_name)
        # Suffix after the fifth colon: ``targetgroup/NAME/ID`` and ``loadbalancer/app/NAME/ID``.
        self._groups = {arn.split(":", 5)[-1]: group for arn, group in self._elb.target_groups.items()}
        self._load_balancers = {arn.split(":", 5)[-1]: lb for arn, lb in self._elb.load_balancers.items()}
        self._targets: dict[str, list[tuple[str, str | None]]] = {}
        self._vpc_subnets: dict[str, list[tuple[Any, str]]] = {}

    def count(self, metric_name: str, dimensions: dict[str, str]) -> int | None:
        """The metric's value now, or None when AWS would publish no such metric."""
        group = self._groups.get(dimensions["TargetGroup"])
        load_balancer = self._load_balancers.get(f"loadbalancer/{dimensions['LoadBalancer']}")
        if group is None or load_balancer is None:
            return None
        if getattr(load_balancer, "type", "application") != "application":
            return None
        if load_balancer.arn not in group.load_balancer_arns or not group.health_check_enabled:
            return None
        zone = dimensions.get("AvailabilityZone")
        if zone is not None and zone not in {s.availability_zone for s in load_balancer.subnets}:
            return None
        states = METRICS[metric_name]
        return sum(
            1
            for state, target_zone in self._targets_of(group)
            if state in states and (zone is None or target_zone is None or target_zone == zone)
        )

    def _targets_of(self, group: Any) -> list[tuple[str, str | None]]:
        if group.arn not in self._targets:
            health = self._elb.describe_target_health(group.arn, [])
            self._targets[group.arn] = [(h.status, self._zone_of(group, h.instance_id)) for h in health]
        return self._targets[group.arn]

    def _zone_of(self, group: Any, target_id: str) -> str | None:
        if target_id.startswith("i-"):
            instance = self._ec2.get_instance_by_id(target_id)
            return getattr(getattr(instance, "_placement", None), "zone", None)
        try:
            address = ipaddress.ip_address(target_id)
        except ValueError:
            return None  # a Lambda function or a load balancer: no zone of its own
        for network, zone in self._subnets_of(group.vpc_id):
            if address in network:
                return zone
        return None

    def _subnets_of(self, vpc_id: str) -> list[tuple[Any, str]]:
        if vpc_id not in self._vpc_subnets:
            found = []
            for subnet in self._ec2.describe_subnets(filters={"vpc-id": [vpc_id]}):
                found.append((ipaddress.ip_network(subnet.cidr_block, strict=False), subnet.availability_zone))
            self._vpc_subnets[vpc_id] = found
        return self._vpc_subnets[vpc_id]


def _answer(
    query: dict[str, Any],
    dimensions: dict[str, str],
    index: TargetHealthIndex,
    start: datetime,
    end: datetime,
    now: datetime,
    scan_by: str,
) -> dict[str, Any]:
    stat = query["MetricStat"]
    metric_name = stat["Metric"]["MetricName"]
    statistic = stat["Stat"]
    period = timedelta(seconds=int(stat["Period"]))
    if period <= timedelta(0):
        from moto.cloudwatch.exceptions import ValidationError

        raise ValidationError("The parameter MetricStat.Period must be greater than 0.")
    values: list[float] = []
    timestamps: list[datetime] = []
    unit = stat.get("Unit")
    value = index.count(metric_name, dimensions) if unit in (None, "Count") else None
    if value is not None:
        last_sample = now - SAMPLE  # the newest minute that has ended
        moment = start
        while moment < end:
            samples = samples_in(moment, min(moment + period, end), last_sample)
            if samples:
                timestamps.append(moment)
                if statistic == "SampleCount":
                    values.append(float(samples))
                elif statistic == "Sum":
                    values.append(float(value * samples))
                else:
                    values.append(float(value))
            moment += period
    if scan_by == "TimestampDescending":
        values.reverse()
        timestamps.reverse()
    return {
        "id": query["Id"],
        "label": query.get("Label") or f"{metric_name} {statistic}",
        "values": values,
        "timestamps": timestamps,
        "status_code": "Complete",
    }


def _is_math(query: dict[str, Any]) -> bool:
    return "Expression" in query and not query["Expression"].startswith("SELECT")


def _returned(query: dict[str, Any]) -> bool:
    return query.get("ReturnData", True) not in (False, "false", "False")


def answer_queries(
    original: Callable[..., list[dict[str, Any]]],
    backend: Any,
    queries: list[dict[str, Any]],
    start_time: datetime,
    end_time: datetime,
    scan_by: str,
) -> list[dict[str, Any]]:
    """GetMetricData with our queries answered here and the rest by moto, in the queries' order."""
    ours = [_dimensions(q) for q in queries]
    if not any(d is not None for d in ours):
        return original(backend, queries, start_time, end_time, scan_by)
    # moto's own checks of the time range (ValidationError) come first, as for any request.
    original(backend, [], start_time, end_time, scan_by)

    from moto.cloudwatch.metric_data_expression_parser import parse_expression
    from moto.core.utils import utcnow

    now = utcnow()
    if start_time.tzinfo is not None:
        now = now.replace(tzinfo=timezone.utc)
    start = rounded_start(start_time, now)
    index = TargetHealthIndex(backend.account_id, backend.region_name)

    # moto answers its metric queries with ReturnData on, so that math expressions can see all of them.
    theirs = [
        dict(q, ReturnData=True) if "MetricStat" in q else q
        for q, d in zip(queries, ours)
        if d is None and not _is_math(q)
    ]
    by_id = {r["id"]: r for r in (original(backend, theirs, start_time, end_time, scan_by) if theirs else [])}
    for query, dimensions in zip(queries, ours):
        if dimensions is not None:
            by_id[query["Id"]] = _answer(query, dimensions, index, start, end_time, now, scan_by)
    stat_results = [by_id[q["Id"]] for q in queries if "MetricStat" in q and q["Id"] in by_id]

    answers = []
    for query in queries:
        if _is_math(query):
            values, timestamps = parse_expression(query["Expression"], stat_results)
            # As moto answers expressions: always returned, labelled by Id.
            answers.append(
                {
                    "id": query["Id"],
                    "label": query.get("Label") or query["Id"],
                    "values": values,
                    "timestamps": timestamps,
                    "status_code": "Complete",
                }
            )
        elif query["Id"] in by_id and ("MetricStat" not in query or _returned(query)):
            answers.append(by_id[query["Id"]])
    return answers


def apply() -> None:
    from moto.cloudwatch.models import CloudWatchBackend

    original = CloudWatchBackend.get_metric_data

    def get_metric_data(
        self: Any,
        queries: list[dict[str, Any]],
        start_time: datetime,
        end_time: datetime,
        scan_by: str = "TimestampAscending",
    ) -> list[dict[str, Any]]:
        return answer_queries(original, self, queries, start_time, end_time, scan_by)

    CloudWatchBackend.get_metric_data = get_metric_data  # type: ignore[method-assign]
