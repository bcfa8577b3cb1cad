"""role-policy-json: inline policies of a CloudFormation role read back as Python text.

``AWS::IAM::Role`` ``Policies`` become the role's inline policies; IAM's
``GetRolePolicy`` answers each document as (URL-encoded) JSON. moto 5.2.1
stores the template's parsed document itself, so ``GetRolePolicy`` answers
its Python text (``{'Version': '2012-10-17', ...}``), which no JSON reader
takes: mlops exec could not see that the task role allows ECS Exec.

The correction stores a document given as a dict or list as JSON, as
``PutRolePolicy`` would have received it.
"""

from __future__ import annotations

import json
from typing import Any

NAME = "role-policy-json"
ITEM = "-"
SUMMARY = "inline policies of roles made by CloudFormation read back as JSON (moto: Python text)"


def apply() -> None:
    from moto.iam.models import Role

    original = Role.put_policy

    def put_policy(self: Any, policy_name: str, policy_json: Any) -> None:
        if isinstance(policy_json, (dict, list)):
            policy_json = json.dumps(policy_json)
        original(self, policy_name, policy_json)

    Role.put_policy = put_policy  # type: ignore[method-assign]
