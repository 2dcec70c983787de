"""gata-serve: the SageMaker-contract inference server (FastAPI + uvicorn, no Dagster).

`predictor` loads a model directory, `batcher` groups concurrent requests into one forward
pass, `app` speaks HTTP, `entrypoint` is the console script the container runs, and `proxy`
gives a local endpoint a stable address across blue/green redeploys.
"""
