"""Traffic e-tickets: the vehicle and driver registries, plate and licence lookups, the driver
identified by face. Pure rules so far (`plates`, `licences`, `registry_rows`; `rules` lists
them); docs/ticketing.md."""
