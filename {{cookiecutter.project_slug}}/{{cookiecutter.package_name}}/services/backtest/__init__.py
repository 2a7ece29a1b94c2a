"""The backtest's pure parts: bar data, fill simulation, strategies and the report."""
