"""elb-quotas: Application Load Balancer quotas as AWS reports and enforces them.

moto 5.2.1 answers ``DescribeAccountLimits`` with a fixed list that lacks
``target-groups-per-application-load-balancer``, enforces only the certificate
quota (counting the listener's default certificate, which AWS does not count),
never refuses a rule or a target group past the quota, and leaves a load
balancer in a target group's ``LoadBalancerArns`` after the last rule
forwarding to it is deleted.

AWS ("Quotas for your Application Load Balancers",
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html):
25 certificates per load balancer besides the default one, 100 rules per load
balancer besides the default rules, 100 target groups per load balancer.
``AddListenerCertificates`` past the quota fails with ``TooManyCertificates``,
``CreateRule`` with ``TooManyRules``, and a rule that would attach one target
group too many with ``TooManyTargetGroups``.

The quotas can be lowered for tests, so that a dozen endpoints fill several
load balancers: ``emulator/server.py --elb-quotas certificates=3,rules=6,target-groups=6``
(or the environment variable ``MLOPS_EMULATOR_ELB_QUOTAS`` with the same text).
The lowered values are what ``DescribeAccountLimits`` reports and what the
calls enforce.
"""

from __future__ import annotations

import os
from typing import Any

NAME = "elb-quotas"
ITEM = "-"  # not in the list of known moto gaps: needed for placement by quota
SUMMARY = (
    "ALB quotas (certificates, rules, target groups per load balancer) reported by "
    "DescribeAccountLimits and enforced; lowered with --elb-quotas"
)

ENV = "MLOPS_EMULATOR_ELB_QUOTAS"

# AWS's defaults (see the docstring); the keys are the option's short names.
DEFAULTS = {"certificates": 25, "rules": 100, "target-groups": 100}

# DescribeAccountLimits names (API reference, Limit).
LIMIT_NAMES = {
    "certificates": "certificates-per-application-load-balancer",
    "rules": "rules-per-application-load-balancer",
    "target-groups": "target-groups-per-application-load-balancer",
}


def parse_quotas(text: str | None) -> dict[str, int]:
    """``certificates=3,rules=6,target-groups=6`` -> quotas; unknown names raise ValueError."""
    quotas = dict(DEFAULTS)
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in DEFAULTS or not value.strip().isdigit():
            raise ValueError(
                f"bad --elb-quotas entry {part!r}: use {', '.join(n + '=N' for n in DEFAULTS)}"
            )
        quotas[name] = int(value)
    return quotas


def _load_balancer_of(backend: Any, listener_arn: str) -> Any:
    listener = backend.describe_listeners(None, [listener_arn])[0]
    return backend.load_balancers.get(listener.load_balancer_arn)


def _extra_certificates(load_balancer: Any) -> int:
    # The first certificate of an HTTPS listener is its default one, which the quota does not count.
    return sum(max(len(listener.certificates) - 1, 0) for listener in load_balancer.listeners.values())


def _rules(load_balancer: Any) -> int:
    return sum(len(listener._non_default_rules) for listener in load_balancer.listeners.values())


def _forwarded_groups(backend: Any, actions: list[Any]) -> set[str]:
    found: set[str] = set()
    for action in actions:
        data = getattr(action, "data", action)
        if (data.get("Type") if isinstance(data, dict) else None) == "forward":
            found.update(backend._get_target_group_arns_from(action_data=data))
    return found


def _target_groups(backend: Any, load_balancer: Any) -> set[str]:
    groups: set[str] = set()
    for listener in load_balancer.listeners.values():
        groups |= _forwarded_groups(backend, list(listener.default_actions or []))
        for rule in listener._non_default_rules.values():
            groups |= _forwarded_groups(backend, list(rule.actions))
    return groups


def apply() -> None:
    from moto.elbv2 import exceptions, models, responses
    from moto.elbv2.exceptions import ELBClientError
    from moto.core.responses import ActionResult

    quotas = parse_quotas(os.environ.get(ENV))

    class TooManyRulesError(ELBClientError):
        code = "TooManyRules"
        message = "You've reached the limit on the number of rules per load balancer"

    class TooManyTargetGroupsError(ELBClientError):
        code = "TooManyTargetGroups"
        message = "You've reached the limit on the number of target groups for your AWS account"

    exceptions.TooManyRulesError = TooManyRulesError  # type: ignore[attr-defined]
    exceptions.TooManyTargetGroupsError = TooManyTargetGroupsError  # type: ignore[attr-defined]

    backend_class = models.ELBv2Backend
    original_describe_limits = responses.ELBV2Response.describe_account_limits
    original_create_rule = backend_class.create_rule
    original_delete_rule = backend_class.delete_rule

    def describe_account_limits(self: Any) -> Any:
        answer = original_describe_limits(self)
        limits = {item["Name"]: item["Max"] for item in answer.result["Limits"]}
        for short, name in LIMIT_NAMES.items():
            limits[name] = quotas[short]
        return ActionResult({"Limits": [{"Name": k, "Max": str(v)} for k, v in limits.items()]})

    def add_listener_certificates(self: Any, arn: str, certificates: list[dict[str, Any]]) -> list[str]:
        listener = self.describe_listeners(load_balancer_arn=None, listener_arns=[arn])[0]
        new = [c["CertificateArn"] for c in certificates if c["CertificateArn"] not in listener.certificates]
        if _extra_certificates(_load_balancer_of(self, arn)) + len(new) > quotas["certificates"]:
            raise exceptions.TooManyCertificatesError()
        listener.certificates.extend(new)
        return listener.certificates

    def create_rule(self: Any, listener_arn: str, conditions: Any, priority: int, actions: list[dict[str, Any]], tags: Any = None) -> Any:
        load_balancer = _load_balancer_of(self, listener_arn)
        if _rules(load_balancer) + 1 > quotas["rules"]:
            raise TooManyRulesError()
        groups = _target_groups(self, load_balancer) | _forwarded_groups(self, actions)
        if len(groups) > quotas["target-groups"]:
            raise TooManyTargetGroupsError()
        return original_create_rule(self, listener_arn, conditions, priority, actions, tags)

    def delete_rule(self: Any, arn: str) -> None:
        owner = None
        for load_balancer in self.load_balancers.values():
            for listener in load_balancer.listeners.values():
                if arn in listener._non_default_rules:
                    owner = load_balancer
        original_delete_rule(self, arn)
        if owner is None:
            return
        # A target group no rule or default action of the load balancer forwards to is no longer attached to it.
        still = _target_groups(self, owner)
        for group_arn, group in self.target_groups.items():
            if group_arn not in still and owner.arn in group.load_balancer_arns:
                group.load_balancer_arns = [a for a in group.load_balancer_arns if a != owner.arn]

    responses.ELBV2Response.describe_account_limits = describe_account_limits  # type: ignore[method-assign]
    backend_class.add_listener_certificates = add_listener_certificates  # type: ignore[method-assign]
    backend_class.create_rule = create_rule  # type: ignore[method-assign]
    backend_class.delete_rule = delete_rule  # type: ignore[method-assign]
