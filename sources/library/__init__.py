"""Reading the library: the readers' pages, listings and their filters, source cards, page keys,
following."""
