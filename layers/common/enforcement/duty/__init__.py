"""Traffic-police duty tasks (patrol areas, time slots, the daily rota) and hazard reports."""
