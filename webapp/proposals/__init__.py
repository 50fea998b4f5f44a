"""Partners' proposals (*Actus du secteur*): a structure proposes its event for one or more
bassins' agendas through /propose; the event waits as a draft while the bassin teams moderate
it (accept, ask for changes, refuse), and the submitter hears of each step by mail."""
