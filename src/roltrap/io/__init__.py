"""IO: turn the files CBS and others publish into roltrap's canonical tables (see ``roltrap.store``)."""
