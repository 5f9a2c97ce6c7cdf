import Ledger

/// A seeded random workload: batches of plain and pending transfers, posts (full, partial, too
/// large), voids, timeouts, linked chains, limit violations, malformed requests and retries of
/// earlier ids with the same or different content.
public struct Workload {
    public static let accountCount: UInt64 = 8
    public static let foreignLedger: UInt32 = 840

    var rng: SplitMix64
    var nextID: UInt64 = 1
    var submitted: [Transfer] = []
    var pendingIDs: [TransferID] = []
    public private(set) var nowMs: Int64 = 1_700_000_000_000

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// The accounts: 1 and 2 are unlimited sources, 8 counts in another ledger, the rest get random limits.
    public mutating func accounts() -> [Account] {
        (1...Self.accountCount).map { n in
            var flags: AccountFlags = []
            if n > 2 && n < Self.accountCount {
                flags = rng.pick([[], .debitsMustNotExceedCredits, .debitsMustNotExceedCredits, .creditsMustNotExceedDebits])
            }
            let ledger = n == Self.accountCount ? Self.foreignLedger : LedgerCode.cny
            return Account(id: aid(n), ledger: ledger, code: UInt16(1 + n % 3), flags: flags)
        }
    }

    /// The next batch and the time to apply it at.
    public mutating func batch() -> (transfers: [Transfer], atMs: Int64) {
        nowMs += rng.int(0...4_000)
        let count = Int(rng.int(1...6))
        var transfers: [Transfer] = []
        for _ in 0..<count {
            var transfer = next()
            if rng.chance(20) { transfer.flags.insert(.linked) }
            if rng.chance(3) { transfer.flags.remove(.linked) }
            transfers.append(transfer)
            submitted.append(transfer)
        }
        return (transfers, nowMs)
    }

    private mutating func freshID() -> TransferID {
        defer { nextID += 1 }
        return rng.chance(1) ? .zero : tid(nextID)
    }

    private mutating func account() -> AccountID {
        if rng.chance(2) { return .zero }
        if rng.chance(2) { return aid(Self.accountCount + 1) }
        if rng.chance(4) { return aid(Self.accountCount) }
        return aid(UInt64(rng.int(1...Int64(Self.accountCount - 1))))
    }

    private mutating func amount() -> Int64 {
        if rng.chance(3) { return 0 }
        if rng.chance(1) { return -rng.int(1...100) }
        if rng.chance(1) { return LedgerLimits.transferAmountFenMax + rng.int(1...100) }
        if rng.chance(1) { return LedgerLimits.transferAmountFenMax }
        return rng.int(1...60_000)
    }

    private mutating func next() -> Transfer {
        let roll = rng.int(0...99)
        if roll < 15, !submitted.isEmpty {
            return retry()
        }
        if roll < 40, !pendingIDs.isEmpty {
            return resolve()
        }
        let debit: AccountID, credit: AccountID
        if rng.chance(25) {
            debit = aid(UInt64(rng.int(1...2)))
            credit = aid(UInt64(rng.int(3...Int64(Self.accountCount - 1))))
        } else {
            debit = account()
            credit = rng.chance(3) ? debit : account()
        }
        var transfer = Transfer(
            id: freshID(), debitAccountID: debit, creditAccountID: credit, amountFen: amount(),
            ledger: rng.chance(2) ? 0 : (rng.chance(2) ? Self.foreignLedger : LedgerCode.cny),
            code: rng.chance(2) ? 0 : UInt16(rng.int(1...3)), reference: rng.chance(50) ? "" : reference())
        if rng.chance(40) {
            transfer.flags.insert(.pending)
            if rng.chance(50) { transfer.timeoutMs = rng.int(1...20_000) }
            if rng.chance(1) { transfer.timeoutMs = LedgerLimits.timeoutMsMax + 1 }
            pendingIDs.append(transfer.id)
        } else if rng.chance(2) {
            transfer.timeoutMs = 1_000
        }
        if rng.chance(1) { transfer.pendingID = tid(1) }
        if rng.chance(1) { transfer.flags.insert([.pending, .voidPending]) }
        if rng.chance(1) { transfer.flags = TransferFlags(rawValue: transfer.flags.rawValue | 0x100) }
        return transfer
    }

    private mutating func reference() -> String {
        if rng.chance(2) { return String(repeating: "x", count: LedgerLimits.referenceLengthMax + 1) }
        return rng.pick(["voucher:330521-2025-000123", "lot:42", "合同:2025-德清-7", "deposit"]) + String(rng.int(0...9))
    }

    private mutating func resolve() -> Transfer {
        let pendingID = rng.chance(5) ? tid(nextID + 1_000_000) : rng.pick(pendingIDs)
        let original = submitted.first { $0.id == pendingID }
        var transfer: Transfer
        if rng.chance(55) {
            let full = original?.amountFen ?? rng.int(1...60_000)
            let amountFen = rng.pick([full, max(1, full / 2), full + 1, rng.int(1...60_000), 0])
            transfer = .post(id: freshID(), pendingID: pendingID, amountFen: amountFen)
        } else {
            transfer = .void(id: freshID(), pendingID: pendingID)
            if rng.chance(10) { transfer.amountFen = original?.amountFen ?? 5 }
            if rng.chance(5) { transfer.amountFen = 7 }
        }
        if rng.chance(10) { transfer.debitAccountID = original?.debitAccountID ?? aid(1) }
        if rng.chance(5) { transfer.creditAccountID = account() }
        if rng.chance(5) { transfer.code = UInt16(rng.int(1...3)) }
        if rng.chance(3) { transfer.ledger = Self.foreignLedger }
        if rng.chance(2) { transfer.pendingID = transfer.id }
        if rng.chance(2) { transfer.timeoutMs = 5 }
        return transfer
    }

    private mutating func retry() -> Transfer {
        var transfer = rng.pick(submitted)
        switch rng.int(0...11) {
        case 0: transfer.amountFen += 1
        case 1: transfer.debitAccountID = account()
        case 2: transfer.creditAccountID = account()
        case 3: transfer.code = transfer.code &+ 1
        case 4: transfer.reference += "!"
        case 5: transfer.flags.formSymmetricDifference(.linked)
        case 6: transfer.timeoutMs += 1
        default: break
        }
        return transfer
    }
}
