"""build-duration: a pipeline's build takes as long as it is told to.

On AWS a first build of an ML image runs for minutes (CodeBuild provisioning, the
``docker build``, the push); pipeline-executions completes a build as soon as its
image is in ECR, so a build on the emulator lasts only as long as the test or the
demo takes to push. To show on the emulator what runs beside what (the build and
the stacks of a create), the build can be given a duration: with
``emulator/server.py --build-seconds N`` (or ``MLOPS_EMULATOR_BUILD_SECONDS``) a
build stays in its BUILD phase for at least N seconds from its start, also once
its image is pushed, then completes as before. Without the option (N = 0)
nothing changes.
"""

from __future__ import annotations

import os
import time
from typing import Any

NAME = "build-duration"
ITEM = "-"  # not a moto gap: a setting for benchmarks of the create's critical path
REQUIRES = ("pipeline-executions",)
SUMMARY = "a build lasts at least --build-seconds N from its start (default 0: as soon as its image is pushed)"

ENV = "MLOPS_EMULATOR_BUILD_SECONDS"


def seconds() -> float:
    """The configured build duration; 0 when unset."""
    return float(os.environ.get(ENV) or 0)


def apply() -> None:
    from . import pipeline_executions

    original = pipeline_executions.advance_build

    def advance_build(account_id: str, region: str, build: dict[str, Any]) -> None:
        started = build.get("startTime")
        if isinstance(started, (int, float)) and time.time() - started < seconds():
            return
        original(account_id, region, build)

    # Looked up by name at each call inside pipeline_executions.
    pipeline_executions.advance_build = advance_build
