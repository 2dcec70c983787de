"""The bar a fine-tuned model must clear: TF-IDF features and a linear classifier.

Word 1-2 grams with sublinear term frequency and a linear SVM, trained on the same train set
and scored on the same test set with the same metric code as gata-train
(`gata_assets.ml.train.metrics`). Fast (seconds for thousands of tickets) and deterministic.
scikit-learn is imported inside the function.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from gata_assets.ml.train.metrics import classification_metrics


def tfidf_linear_baseline(
    train_texts: Sequence[str],
    train_labels: Sequence[int],
    test_texts: Sequence[str],
    test_labels: Sequence[int],
    categories: dict[int, str] | None = None,
    c: float = 1.0,
) -> dict[str, Any]:
    """Metrics of TF-IDF (1-2 grams) + LinearSVC; labels are help-desk label ids."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    started = time.perf_counter()
    labels = sorted({int(x) for x in train_labels} | {int(x) for x in test_labels})
    index = {label: i for i, label in enumerate(labels)}
    names = [str((categories or {}).get(label, label)) for label in labels]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    features = vectorizer.fit_transform(list(train_texts))
    y_train = [index[int(x)] for x in train_labels]
    if len(set(y_train)) < 2:
        predictions = [y_train[0]] * len(test_texts)
    else:
        classifier = LinearSVC(C=c, random_state=0)
        classifier.fit(features, y_train)
        predictions = classifier.predict(vectorizer.transform(list(test_texts))).tolist()
    metrics = classification_metrics([index[int(x)] for x in test_labels], predictions, names)
    metrics["model"] = "tfidf(1-2gram)+LinearSVC"
    metrics["fit_seconds"] = round(time.perf_counter() - started, 3)
    return metrics
