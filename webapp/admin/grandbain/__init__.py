"""The Grand Bain: editions, the offers to moderate, and the visits' evaluation."""
