"""role-policy-json: inline policies of a CloudFormation role read back as Python text.

``AWS::IAM::Role`` ``Policies`` become the role's inline policies; IAM's
``GetRolePolicy`` answers each document as (URL-encoded) JSON. moto 5.2.1
stores the template's parsed document itself, so ``GetRolePolicy`` answers
its Python text (``{'Version': '2012-10-17', ...}``), which no JSON reader
takes: mlops exec could not see that the task role allows ECS Exec.

The correction stores a document given as a dict or list as JSON, as
``PutRolePolicy`` would have received it. A list item that is
``Fn::If [condition, ..., !Ref AWS::NoValue]`` with a false condition is no
item at all in CloudFormation ("removes the corresponding resource property",
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html#cfn-pseudo-param-novalue);
moto 5.2.1 leaves ``None`` in its place, a ``null`` statement IAM would reject.
The correction drops those items.
"""

from __future__ import annotations

import json
from typing import Any

NAME = "role-policy-json"
ITEM = "-"
SUMMARY = "inline policies of roles made by CloudFormation read back as JSON, without AWS::NoValue items (moto: Python text)"


def apply() -> None:
    from moto.iam.models import Role

    original = Role.put_policy

    def without_no_value(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: without_no_value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [without_no_value(item) for item in value if item is not None]
        return value

    def put_policy(self: Any, policy_name: str, policy_json: Any) -> None:
        if isinstance(policy_json, (dict, list)):
            policy_json = json.dumps(without_no_value(policy_json))
        original(self, policy_name, policy_json)

    Role.put_policy = put_policy  # type: ignore[method-assign]
