"""gata-train: fine-tune a BERT-family classifier under the SageMaker training contract.

Pure Python, no Dagster. The same code runs in the fine-tune container on SageMaker and as a
local subprocess (through Dagster Pipes) in a temp folder laid out like `/opt/ml`.

    contract.py    where things are (SM_* paths), hyperparameters, the failure file
    data.py        Parquet channels, label map, tokenization, length-bucketed batches
    loop.py        the training loop: threads, device, autocast, schedule, progress
    checkpoint.py  save / resume (safetensors + JSON), SIGTERM / SIGINT handling
    evaluate.py    predictions on the test channel; metrics.py: accuracy, macro-F1...
    fallback.py    the constant "fallback" model directory
    report.py      progress and metrics to Dagster Pipes when run under it, else logging
    entrypoint.py  `gata-train`: ties it together, exit codes

Nothing here imports torch or transformers at module level.
"""
