import Ledger

/// Short names for ids in tests.
public func tid(_ value: UInt64) -> TransferID { TransferID(high: 0, low: value) }
public func aid(_ value: UInt64) -> AccountID { AccountID(value) }
