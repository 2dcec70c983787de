"""The endpoint answers a real ticket: a known test-set ticket, a valid prediction, in time.

A deployment's own smoke test proves the server runs; this check proves the *deployed
address* answers a ticket the pipeline knows, with a well-formed prediction within the
deployer's latency budget. The result (answer, latency, whether it matched the true
category) is recorded so the UI shows what the endpoint said. With one endpoint per model
the ticket goes through the same client-side routing as every other caller, so the check
proves the pair answers together, not only that each server runs.
"""

import time

import dagster as dg

from gata_assets.core.model_groups import GENERAL, GROUP_NAMES
from gata_assets.core.references import EndpointRef, SplitRef
from gata_assets.defs.common import REFS_IO_MANAGER
from gata_assets.resources.artifact_store import ArtifactStore
from gata_assets.resources.deployer import Deployer

ROUTES = (*GROUP_NAMES, "fallback")


def prediction_problem(prediction: dict, ticket_id: str) -> str | None:
    """Why a prediction is malformed, or None when it is valid."""
    if prediction.get("id") != ticket_id:
        return f"id {prediction.get('id')!r} does not echo {ticket_id!r}"
    if not isinstance(prediction.get("category"), str) or not prediction["category"]:
        return "no category"
    if not 0.0 <= float(prediction.get("confidence", -1)) <= 1.0:
        return f"confidence {prediction.get('confidence')!r} outside [0, 1]"
    if prediction.get("route") not in ROUTES:
        return f"unknown route {prediction.get('route')!r}"
    return None


@dg.asset_check(
    asset="routing_endpoint",
    additional_ins={
        "general_test_set": dg.AssetIn(key=GENERAL.test_asset, input_manager_key=REFS_IO_MANAGER)
    },
    blocking=True,
    description="A known ticket from the general test set gets a valid prediction within "
    "the deployer's latency budget.",
)
def routing_endpoint_answers(
    routing_endpoint: EndpointRef,
    general_test_set: SplitRef,
    deployer: Deployer,
    artifact_store: ArtifactStore,
) -> dg.AssetCheckResult:
    tickets = artifact_store.read_parquet(general_test_set.uri).sort_values("ticket_id")
    ticket = tickets.iloc[0]
    ticket_id = str(ticket["ticket_id"])
    started = time.perf_counter()
    try:
        answer = deployer.invoke(
            routing_endpoint.endpoint,
            [{"id": ticket_id, "text": str(ticket["text"])}],
            layout=routing_endpoint.layout,
        )
        problem = prediction_problem((answer.get("predictions") or [{}])[0], ticket_id)
    except Exception as error:  # any failure to answer is the check's verdict, not a crash
        answer, problem = {}, f"{type(error).__name__}: {error}"
    latency_ms = (time.perf_counter() - started) * 1000
    prediction = (answer.get("predictions") or [{}])[0]
    if problem is None and latency_ms > deployer.latency_budget_ms:
        problem = f"{latency_ms:.0f} ms exceeds the {deployer.latency_budget_ms:.0f} ms budget"
    return dg.AssetCheckResult(
        passed=problem is None,
        description=problem or "valid prediction within budget",
        metadata={
            "ticket_id": ticket_id,
            "layout": routing_endpoint.layout,
            "true_category": str(ticket["category"]),
            "predicted_category": str(prediction.get("category")),
            "confidence": float(prediction.get("confidence") or 0.0),
            "route": str(prediction.get("route")),
            "correct": bool(prediction.get("category") == ticket["category"]),
            "latency_ms": dg.MetadataValue.float(round(latency_ms, 1)),
            "latency_budget_ms": dg.MetadataValue.float(deployer.latency_budget_ms),
        },
    )
