"""s3-bucket-update-tags: a CloudFormation update of a bucket's Tags applies them to the bucket it has.

An ``AWS::S3::Bucket`` whose ``Tags`` change is updated with no interruption
(CloudFormation's AWS::S3::Bucket reference: Tags, "Update requires: No
interruption"), whether or not the template names the bucket. moto 5.2.1 tags
the bucket named by the template's ``BucketName``: a bucket with a generated
name (no ``BucketName``) fails the update with ``KeyError: 'BucketName'``,
and its stack rolls back.

The correction hands moto's update a ``BucketName`` equal to the bucket's own
name when the template has none, so the tags go to that bucket (and no
replacement follows: the name is unchanged).
"""

from __future__ import annotations

import copy
from typing import Any

NAME = "s3-bucket-update-tags"
ITEM = "—"
SUMMARY = "a CloudFormation update of a bucket's Tags tags the bucket it has, also when its name was generated"


def with_own_name(cloudformation_json: Any, name: str) -> Any:
    """A copy of the resource's JSON that names the bucket as it is named already, when the template does not."""
    properties = (cloudformation_json or {}).get("Properties") or {}
    if "BucketName" in properties:
        return cloudformation_json
    named = copy.deepcopy(cloudformation_json or {})
    named.setdefault("Properties", {})["BucketName"] = name
    return named


def apply() -> None:
    from moto.s3.models import FakeBucket

    update = FakeBucket.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def update_from_cloudformation_json(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any) -> Any:
        return update(cls, original_resource, new_resource_name, with_own_name(cloudformation_json, original_resource.name), *args, **kwargs)

    FakeBucket.update_from_cloudformation_json = classmethod(update_from_cloudformation_json)  # type: ignore[method-assign,assignment]
