"""ecr-encryption-configuration: an ECR repository made by CloudFormation answers its encryption in the API's shape.

CloudFormation's ``AWS::ECR::Repository`` writes ``EncryptionConfiguration``
as ``{EncryptionType, KmsKey}``; the ECR API answers ``encryptionConfiguration``
as ``{encryptionType, kmsKey}``, ``encryptionType`` required (ECR API
reference, EncryptionConfiguration). moto 5.2.1 stores the CloudFormation
property as it is, so ``DescribeRepositories`` answers ``EncryptionType`` and
lacks the required ``encryptionType``: an SDK reads no encryption type.

The correction gives moto's CloudFormation create and update of the type the
property in the API's spelling (an update compares it to the stored one).
"""

from __future__ import annotations

import copy
from typing import Any

NAME = "ecr-encryption-configuration"
ITEM = "—"
SUMMARY = (
    "ECR repositories from CloudFormation answer encryptionConfiguration.encryptionType "
    "(not the template's EncryptionType)"
)

_API_NAMES = {"EncryptionType": "encryptionType", "KmsKey": "kmsKey"}


def api_spelling(cloudformation_json: Any) -> Any:
    """A copy of the resource's JSON whose EncryptionConfiguration uses the API's member names."""
    properties = (cloudformation_json or {}).get("Properties") or {}
    config = properties.get("EncryptionConfiguration")
    if not isinstance(config, dict):
        return cloudformation_json
    spelled = copy.deepcopy(cloudformation_json)
    spelled["Properties"]["EncryptionConfiguration"] = {
        _API_NAMES.get(key, key): value for key, value in config.items()
    }
    return spelled


def apply() -> None:
    from moto.ecr.models import Repository

    create = Repository.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    update = Repository.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create_from_cloudformation_json(cls: Any, resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any) -> Any:
        return create(cls, resource_name, api_spelling(cloudformation_json), *args, **kwargs)

    def update_from_cloudformation_json(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any) -> Any:
        return update(cls, original_resource, new_resource_name, api_spelling(cloudformation_json), *args, **kwargs)

    Repository.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[method-assign,assignment]
    Repository.update_from_cloudformation_json = classmethod(update_from_cloudformation_json)  # type: ignore[method-assign,assignment]
