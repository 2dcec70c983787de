"""Following a SageMaker training job's CloudWatch log line by line, for as long as it runs.

SageMaker writes a training container's stdout and stderr to the log group
`/aws/sagemaker/TrainingJobs`, stream `<job name>/algo-1-<epoch seconds>`, one event per line.
The stream only appears once the container starts (minutes after CreateTrainingJob, never if
the job fails to start), and a managed spot job that is reclaimed and restarted writes to a
new one. So the tail finds its streams by name prefix and reads them oldest first, each from
its head, paging with GetLogEvents' `nextForwardToken`: that token never hands out an event
twice, and at the end of a stream it comes back unchanged until more is written.

The tail keeps its place (stream name and token) and nothing else, so following a job for
hours costs constant memory. It makes one AWS call per `read()` or `advance()` and lets errors
through: the caller decides how long to wait, above all under throttling (GetLogEvents and
DescribeLogStreams are rate-limited per account and region, shared by every job and console).
"""

from __future__ import annotations

from typing import Any

from gata_assets.resources.aws import error_code

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
ABSENT = "ResourceNotFoundException"
THROTTLED = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)


def is_throttled(error: Exception) -> bool:
    return error_code(error)[0] in THROTTLED


class LogTail:
    """Where a job's log has been read up to; `read()` returns what was written since."""

    def __init__(self, client: Any, job_name: str, *, log_group: str = LOG_GROUP):
        self.client = client
        self.log_group = log_group
        # Only the first host: gata-train trains on one instance, and only it reports.
        self.prefix = f"{job_name}/algo-1-"
        self.stream: str | None = None
        self.token: str | None = None

    def read(self) -> list[str]:
        """The lines written since the last call (empty: nothing new, or no stream yet)."""
        if self.stream is None and not self.advance():
            return []
        request: dict[str, Any] = {
            "logGroupName": self.log_group,
            "logStreamName": self.stream,
            "startFromHead": True,
        }
        if self.token:
            request["nextToken"] = self.token
        try:
            page = self.client.get_log_events(**request)
        except Exception as error:
            if error_code(error)[0] == ABSENT:
                return []
            raise
        self.token = page.get("nextForwardToken") or self.token
        return [
            line
            for event in page.get("events", [])
            for line in str(event.get("message", "")).splitlines()
            if line.strip()
        ]

    def advance(self) -> bool:
        """Move on to the next stream of this job (the first one, or the one a restarted
        container opened), if there is one; True when it moved."""
        try:
            found = self.client.describe_log_streams(
                logGroupName=self.log_group, logStreamNamePrefix=self.prefix
            )
        except Exception as error:
            if error_code(error)[0] == ABSENT:  # no job has logged in this region yet
                return False
            raise
        # `<epoch seconds>` has a fixed width, so name order is start order.
        names = sorted(s["logStreamName"] for s in found.get("logStreams", []))
        later = [name for name in names if self.stream is None or name > self.stream]
        if not later:
            return False
        self.stream, self.token = later[0], None
        return True
