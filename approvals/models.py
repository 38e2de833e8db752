# Return and replenish requests arrive with the returns issue (#3).
