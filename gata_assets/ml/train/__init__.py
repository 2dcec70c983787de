"""gata-train: fine-tune a BERT-family classifier under the SageMaker training contract.

Pure Python, no Dagster. The same code runs in the fine-tune container on SageMaker and as a
local subprocess (through Dagster Pipes) in a temp folder laid out like `/opt/ml`.

    contract.py    where things are (SM_* paths), the failure file
    hyperparameters.py  the settings, their defaults, SageMaker's strings coerced back
    channels.py    base model, Parquet channels, label map
    data.py        tokenization, length-bucketed batches
    loop.py        the training loop: epochs of steps, checkpoints, progress lines
    session.py     what the loop steps through: optimizer, schedule, resume point
    progress.py    the counters behind progress lines and rates
    threads.py     CPU thread count, tuned while training
    device.py      device, autocast precision, seeding
    schedule.py    AdamW parameter groups, learning-rate schedule
    checkpoint.py  save / resume (safetensors + JSON)
    stop.py        SIGTERM / SIGINT handling
    evaluate.py    predictions on the test channel; metrics.py: accuracy, macro-F1...
    fallback.py    the constant "fallback" model directory
    report.py      progress and metrics to Dagster Pipes when run under it, else logging
    job.py         one job: validate, train, evaluate; outputs.py: the model directory
    entrypoint.py  `gata-train`: exit codes

Nothing here imports torch or transformers at module level.
"""
