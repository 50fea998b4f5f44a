"""The Grand Bain: a week of open doors. Editions, hosts' offers and their visit slots,
visitors who book a programme of visits across several hosts in one step."""
