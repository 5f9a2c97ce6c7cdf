// Verification throughput of the Ledger module on one core: how many entries per second
// `ChainVerifier` checks (hash, both chain links, pending resolution, balances and limits).
//
// Run: swift build -c release --product LedgerBenchmark && .build/release/LedgerBenchmark [entries]
//
// The ledger is synthetic but built through `LedgerRules`, as the storage adapter builds it:
// 10,000 accounts, plain transfers, and holds that are posted in part or voided. Building it is
// not timed; only registering the accounts and feeding the entries is.
import Foundation
import Ledger
import SeededRandom

func format2(_ value: Double) -> String { String(format: "%.2f", value) }

let entryCount = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000
let accountCount: UInt64 = 10_000

var rng = SplitMix64(seed: 2025)
var accounts: [Account] = (1...accountCount).map { Account(id: AccountID($0), code: 1) }
var entries: [Entry] = []
entries.reserveCapacity(entryCount)
var held: [TransferRecord] = []
var nextID: UInt64 = 1
let references = ["", "voucher:330521-2025-000123", "lot:42", "deposit"]
let buildStart = ContinuousClock.now
while entries.count < entryCount {
    let timestampMs = 1_700_000_000_000 + Int64(entries.count)
    let roll = rng.next() % 100
    let outcome: TransferOutcome?
    if roll < 20, let pending = held.popLast() {
        let resolve: Transfer = roll < 12
            ? .post(id: TransferID(high: 0, low: nextID), pendingID: pending.id, amountFen: max(1, pending.amountFen / 2))
            : .void(id: TransferID(high: 0, low: nextID), pendingID: pending.id)
        let d = Int(pending.debitAccountID.rawValue - 1), c = Int(pending.creditAccountID.rawValue - 1)
        if case .success(let o) = LedgerRules.validate(resolve, debit: accounts[d], credit: accounts[c], pending: pending, atMs: timestampMs) {
            outcome = o
        } else {
            outcome = nil
        }
    } else {
        let d = Int(rng.next() % accountCount), c = Int(rng.next() % accountCount)
        guard d != c else { continue }
        let transfer = Transfer(
            id: TransferID(high: 0, low: nextID), debitAccountID: accounts[d].id, creditAccountID: accounts[c].id,
            amountFen: Int64(1 + rng.next() % 1_000_000), code: 10, flags: roll < 40 ? .pending : [],
            reference: references[Int(rng.next() % 4)])
        if case .success(let o) = LedgerRules.validate(transfer, debit: accounts[d], credit: accounts[c], pending: nil, atMs: timestampMs) {
            outcome = o
            if o.record.pendingStatus == .pending { held.append(o.record) }
        } else {
            outcome = nil
        }
    }
    nextID += 1
    guard let outcome else { continue }
    accounts[Int(outcome.debit.id.rawValue - 1)] = outcome.debit
    accounts[Int(outcome.credit.id.rawValue - 1)] = outcome.credit
    entries.append(outcome.entry)
}
let buildSeconds = (ContinuousClock.now - buildStart) / .seconds(1)
print("built \(entries.count) entries over \(accountCount) accounts in \(format2(buildSeconds)) s (not timed below)")


var best = Double.infinity
for run in 1...3 {
    let start = ContinuousClock.now
    var verifier = ChainVerifier()
    for account in accounts { verifier.register(account) }
    for entry in entries { verifier.feed(entry) }
    let report = verifier.finish(atMs: Int64.max)
    let seconds = (ContinuousClock.now - start) / .seconds(1)
    best = min(best, seconds)
    guard report.isClean else {
        print("verification found faults: \(report.faults.prefix(3))")
        exit(1)
    }
    print("run \(run): \(entries.count) entries in \(format2(seconds)) s = \(Int(Double(entries.count) / seconds)) entries/s; \(report.digest)")
}
print("verify: \(Int(Double(entries.count) / best)) entries/s (best of 3, one core; goal ≥ 500,000)")
