"""Entry-point helpers: run one backtest on a configured container, record it, show it."""
