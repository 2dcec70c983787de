"""Pure ML code (no Dagster): training, serving, routing, metrics, baselines.

torch and transformers are imported inside functions, never at module level, so that
anything importing this package stays fast until it really trains or predicts.
"""
