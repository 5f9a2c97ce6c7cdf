// The ledger tests draw from the one seeded generator.
@_exported import SeededRandom
