"""`gata-train`: fine-tune a BERT-family classifier under the SageMaker training contract.

    gata-train            (the fine-tune container's `train` command runs this)
    python -m gata_assets.ml.train.entrypoint

Reads the channels and hyperparameters named in contract.py, trains (resuming from the
newest matching checkpoint if one exists), evaluates on the test channel, and writes the
model directory (safetensors weights, tokenizer, config with id2label/label2id, gata_model.json,
labels.json, metrics.json) to SM_MODEL_DIR.

Exit status: 0 done; 2 bad input (the reason is the one line in the failure file);
1 unexpected error (type and message in the failure file); 143 stopped by SIGTERM/SIGINT after
writing a checkpoint (no failure file: a stop is not a failure, and a restart resumes).
"""

from __future__ import annotations

import sys
import traceback

from gata_assets.ml.train.contract import TrainingInputError, TrainingPaths, write_failure
from gata_assets.ml.train.hyperparameters import load_hyperparameters
from gata_assets.ml.train.job import run
from gata_assets.ml.train.report import Reporter, setup_logging
from gata_assets.ml.train.stop import StopRequested, StopSignal

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_STOPPED = 143


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    paths = TrainingPaths.from_env()
    stop = StopSignal().install()
    with Reporter() as reporter:
        try:
            hps = load_hyperparameters(paths)
            run(paths, hps, reporter, stop)
        except TrainingInputError as error:
            write_failure(paths.failure_file, str(error))
            reporter.error(f"bad input: {error}")
            return EXIT_BAD_INPUT
        except StopRequested as stopped:
            reporter.warning(str(stopped))
            return EXIT_STOPPED
        except KeyboardInterrupt:
            reporter.warning("interrupted before a checkpoint could be written")
            return EXIT_STOPPED
        except Exception as error:
            write_failure(paths.failure_file, f"{type(error).__name__}: {error}")
            reporter.error(f"training failed: {type(error).__name__}: {error}")
            traceback.print_exc()
            return EXIT_ERROR
        finally:
            stop.uninstall()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
