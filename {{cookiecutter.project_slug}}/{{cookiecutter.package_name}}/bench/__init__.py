"""The bench: one backtest on every backend side by side, plus per-operation micro-benchmarks."""
