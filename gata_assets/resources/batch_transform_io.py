"""What a Batch Transform job reads and writes, and how it is named: no AWS calls here.

The input is JSON Lines, one `{"id", "text"}` per ticket, split into one file per instance
(SageMaker hands whole files to instances). The job's name is derived from what it predicts:
the day, the models' tag and a hash of its input and settings. So a retried or re-executed
run finds the job it started before (running: wait for it; completed: read its output) and
never pays twice; only a failed or stopped job makes the next attempt take a new `-r<n>` name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from gata_assets.core.references import ServingModel
from gata_assets.ml.routing import Ticket
from gata_assets.resources.batch_scoring import BatchScoringError

# The predictor never looks past max_length x 16 characters (predictor.CHARS_PER_TOKEN_BOUND)
# and max_length is at most 512 for these encoders, so clipping here changes no answer while
# keeping every record far below the 1 MB mini-batch (MaxPayloadInMB) a record must fit in.
MAX_TEXT_CHARS = 512 * 16
NAME_LIMIT = 63  # SageMaker's job and model names
PAYLOAD_MB = 1  # per mini-batch (MaxPayloadInMB): about a thousand tickets, seconds of work
PAYLOAD_BYTES = PAYLOAD_MB << 20


def encode_parts(tickets: Sequence[Ticket], parts: int, redact_pii: bool = False) -> list[bytes]:
    """JSON Lines in `parts` contiguous, near-equal files (fewer if there are few tickets).

    With `redact_pii` the texts are masked before they are stored, as every text gata keeps
    is; a model trained with GATA_REDACT_PII masks its input itself (and masking twice
    changes nothing), so its answers stay those of routing in process."""
    from gata_assets.core.pii import mask_text  # imports pandas: not at definitions load

    texts = [t.text[:MAX_TEXT_CHARS] for t in tickets]
    if redact_pii:
        texts = [mask_text(text) for text in texts]
    lines = [
        json.dumps({"id": t.id, "text": text}, ensure_ascii=False) + "\n"
        for t, text in zip(tickets, texts, strict=True)
    ]
    if not lines:
        return []
    size = -(-len(lines) // max(1, min(parts, len(lines))))
    return ["".join(lines[at : at + size]).encode() for at in range(0, len(lines), size)]


def part_file(index: int) -> str:
    return f"part-{index:05d}.jsonl"


def request_hash(parts: Sequence[bytes], environment: Mapping[str, str]) -> str:
    """Input and container settings: a change to either is a different job."""
    digest = hashlib.sha256(json.dumps(dict(sorted(environment.items()))).encode())
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()[:16]


def models_tag(models: Mapping[str, ServingModel]) -> str:
    """Short id of the model set (as `EndpointSpec.tag`): same models, same tarball."""
    joined = "|".join(f"{role}={models[role].uri}" for role in sorted(models))
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def job_name(prefix: str, day: str, tag: str, digest: str, attempt: int = 1) -> str:
    """`<prefix>-bt-<yyyymmdd>-<tag>-<hash>[-r<n>]`, within SageMaker's 63 characters."""
    tail = f"-bt-{day.replace('-', '')}-{tag[:8]}-{digest[:10]}"
    suffix = f"-r{attempt}" if attempt > 1 else ""
    head = re.sub(r"[^a-zA-Z0-9-]", "-", prefix)[: NAME_LIMIT - len(tail) - 4]
    return f"{head}{tail}{suffix}"


def read_answers(outputs: Sequence[bytes], tickets: Sequence[Ticket]) -> list[dict[str, Any]]:
    """The predictions of the `.out` objects (in part order), checked line by line against
    the tickets they answer: a lost or shuffled line fails rather than mislabel a ticket."""
    lines = [line for out in outputs for line in out.decode("utf-8").split("\n") if line.strip()]
    if len(lines) != len(tickets):
        raise BatchScoringError(
            f"the transform output holds {len(lines)} predictions for {len(tickets)} tickets"
        )
    answers = []
    for number, (line, ticket) in enumerate(zip(lines, tickets, strict=True), start=1):
        answer = json.loads(line)
        if answer.get("id") != ticket.id:
            raise BatchScoringError(
                f"line {number} of the transform output answers ticket {answer.get('id')!r}, "
                f"not {ticket.id!r}"
            )
        answers.append(answer)
    return answers


def serve_environment(min_confidence: float) -> dict[str, str]:
    """gata-serve's settings in the job: the router's threshold, and per-request limits a
    full mini-batch fits in (a record takes at least 12 bytes, a ticket costs at most a token
    per byte), so its validation stays on and still never refuses what SageMaker sends."""
    return {
        "GATA_SERVE_MIN_CONFIDENCE": str(min_confidence),
        "GATA_SERVE_MAX_INSTANCES": str(PAYLOAD_BYTES // 12),
        "GATA_SERVE_MAX_REQUEST_TOKENS": str(PAYLOAD_BYTES),
        "GATA_SERVE_MAX_QUEUED_TOKENS": str(PAYLOAD_BYTES),
    }


def billable_seconds(job: Mapping[str, Any]) -> float:
    """(TransformEndTime - TransformStartTime) x instance count: what the job was billed."""
    start, end = job.get("TransformStartTime"), job.get("TransformEndTime")
    if start is None or end is None:
        return 0.0
    seconds = max(0.0, (end - start).total_seconds())
    return round(seconds * int(job["TransformResources"]["InstanceCount"]), 3)


def job_details(job: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """The metadata of a day scored by `job`; cost is computed from the billable seconds.
    `origin`: created by this run, attached to a running job, or reused a completed one."""
    resources = job["TransformResources"]
    return {
        "scoring": "batch_transform",
        "batch_transform/job_name": job["TransformJobName"],
        "batch_transform/job_arn": job["TransformJobArn"],
        "batch_transform/origin": origin,
        "batch_transform/instance_type": resources["InstanceType"],
        "batch_transform/instance_count": int(resources["InstanceCount"]),
        "batch_transform/billable_seconds": billable_seconds(job),
        "batch_transform/output_uri": job["TransformOutput"]["S3OutputPath"],
    }
