"""The Discord adapter: translates between Discord and `knowledge` (an Answer in, an embed out)."""
