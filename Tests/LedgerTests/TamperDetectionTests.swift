import Ledger
import LedgerTestSupport
import Testing

/// Alters a stored ledger the way someone with database access could, and checks that the
/// verifier names the first entry at fault.
@Suite struct TamperDetectionTests {
    /// A ledger of a few hundred entries over six accounts, with pending transfers resolved every way.
    static func ledger() -> LedgerState {
        var ledger = sampleLedger(fundingFen: 10_000_000)
        var rng = SplitMix64(seed: 0x7A3)
        var next: UInt64 = 1
        var held: [UInt64] = []
        _ = ledger.createAccount(Account(id: aid(5), code: TestCode.wallet))
        _ = ledger.createAccount(Account(id: aid(6), code: TestCode.escrow))
        for step in 0..<300 {
            let from = UInt64(rng.int(1...6)), to = UInt64(rng.int(1...6))
            guard from != to, to != 4 else { continue }
            var batch: [Transfer] = []
            if rng.chance(30), let pending = held.popLast() {
                batch.append(rng.chance(50) ? .post(id: tid(next), pendingID: tid(pending), amountFen: 1) : .void(id: tid(next), pendingID: tid(pending)))
            } else if rng.chance(30) {
                batch.append(hold(next, from: from, to: to, rng.int(1...500), timeoutMs: rng.chance(30) ? 5_000 : 0))
                held.append(next)
            } else {
                batch.append(plain(next, from: from, to: to, rng.int(1...500), reference: "step \(step)"))
            }
            next += 1
            _ = ledger.apply(batch, atMs: 10_000 + Int64(step) * 1_000)
        }
        return ledger
    }

    static let base = ledger()

    /// The first entry at or after `start` that shares an account with the entry at `index`.
    static func nextInChain(of index: Int, account: AccountID, in entries: [Entry]) -> Int? {
        entries.indices.first { $0 > index && (entries[$0].debitAccountID == account || entries[$0].creditAccountID == account) }
    }

    static func faultIndex(_ report: VerificationReport) -> Int? {
        switch report.faults.first {
        case .hashMismatch(let at, _), .malformed(let at, _), .unknownAccount(let at, _), .sequenceGap(let at, _, _, _),
            .brokenLink(let at, _, _), .pending(let at, _), .overflow(let at, _), .limitExceeded(let at, _):
            at.index
        default: nil
        }
    }

    @Test("an untouched ledger verifies clean, and its digest is the stored heads' digest")
    func clean() {
        let report = verify(Self.base)
        #expect(report.isClean, "\(report.faults)")
        #expect(report.entryCount == Self.base.entries.count)
        #expect(report.digest == Self.base.digest)
        #expect(report.totals.balanced)
        #expect(Self.base.entries.count > 200)
    }

    @Test("an amount edited in place is named at that entry", arguments: [3, 50, 150])
    func editedAmount(index: Int) {
        var entries = Self.base.entries
        entries[index].amountFen += 100
        let report = verify(Self.base.accounts.values, entries)
        #expect(Self.faultIndex(report) == index)
        guard case .hashMismatch = report.faults.first else {
            Issue.record("expected a hash mismatch, got \(report.faults)")
            return
        }
    }

    @Test("an amount edited with its hash recomputed breaks the next link of its accounts' chains")
    func editedAmountRehashed() throws {
        let index = 60
        var entries = Self.base.entries
        entries[index].amountFen += 100
        entries[index].hash = entries[index].computedHash
        let report = verify(Self.base.accounts.values, entries)
        let nextDebit = Self.nextInChain(of: index, account: entries[index].debitAccountID, in: entries)
        let nextCredit = Self.nextInChain(of: index, account: entries[index].creditAccountID, in: entries)
        let expected = try #require([nextDebit, nextCredit].compactMap { $0 }.min(), "entry \(index) is the last of both its chains")
        #expect(!report.isClean)
        #expect(Self.faultIndex(report) == expected)
        guard case .brokenLink(_, _, let previousIndex) = report.faults.first else {
            Issue.record("expected a broken link, got \(report.faults)")
            return
        }
        #expect(previousIndex == index)
    }

    @Test("the last entry edited with its hash recomputed shows as a stored head mismatch")
    func editedTailRehashed() {
        var entries = Self.base.entries
        let last = entries.count - 1
        entries[last].amountFen += 1
        entries[last].hash = entries[last].computedHash
        let report = verify(Self.base.accounts.values, entries)
        #expect(!report.isClean)
        #expect(report.faults.contains { if case .headMismatch(let id, _, _) = $0 { id == entries[last].debitAccountID } else { false } })
        #expect(report.faults.contains { if case .balanceMismatch = $0 { true } else { false } })
        #expect(report.digest != Self.base.digest)
    }

    @Test("an entry moved to other accounts is named at that entry")
    func editedAccounts() {
        let index = 80
        var entries = Self.base.entries
        let original = entries[index]
        entries[index].creditAccountID = original.creditAccountID == aid(5) ? aid(6) : aid(5)
        #expect(Self.faultIndex(verify(Self.base.accounts.values, entries)) == index)
        entries[index].hash = entries[index].computedHash
        #expect(Self.faultIndex(verify(Self.base.accounts.values, entries)) == index)
    }

    @Test("two entries of one account swapped: the earlier position is named")
    func swapped() throws {
        var entries = Self.base.entries
        let first = 40
        let second = try #require(Self.nextInChain(of: first, account: entries[first].debitAccountID, in: entries))
        entries.swapAt(first, second)
        let report = verify(Self.base.accounts.values, entries)
        #expect(Self.faultIndex(report) == first)
        guard case .sequenceGap = report.faults.first else {
            Issue.record("expected a sequence gap, got \(report.faults)")
            return
        }
    }

    @Test("a deleted entry: the next entry of its accounts is named", arguments: [0, 10, 120])
    func deleted(index: Int) throws {
        var entries = Self.base.entries
        let removed = entries.remove(at: index)
        let report = verify(Self.base.accounts.values, entries)
        // After removal, the entries that followed shift down by one.
        let nextDebit = Self.nextInChain(of: index - 1, account: removed.debitAccountID, in: entries)
        let nextCredit = Self.nextInChain(of: index - 1, account: removed.creditAccountID, in: entries)
        let expected = try #require([nextDebit, nextCredit].compactMap { $0 }.min(), "entry \(index) was the last of both its chains")
        #expect(!report.isClean)
        #expect(Self.faultIndex(report) == expected)
    }

    @Test("the last entry deleted shows as stored heads ahead of the entries")
    func deletedTail() {
        var entries = Self.base.entries
        entries.removeLast()
        let report = verify(Self.base.accounts.values, entries)
        #expect(report.faults.contains { if case .headMismatch = $0 { true } else { false } })
    }

    @Test("a copy of an entry inserted later is named at the copy")
    func insertedDuplicate() {
        var entries = Self.base.entries
        entries.insert(entries[30], at: 90)
        #expect(Self.faultIndex(verify(Self.base.accounts.values, entries)) == 90)
    }

    @Test("a forged entry inserted mid-chain: the forgery verifies locally, the genuine successor is named with it")
    func insertedForgery() throws {
        var entries = Self.base.entries
        let genuine = 70
        let account = entries[genuine].debitAccountID
        // Forge an entry that takes the genuine entry's place in `account`'s chain and in another
        // account's chain, with every hash recomputed: only the fork shows.
        let other = try #require([aid(1), aid(2), aid(3), aid(5), aid(6)].first { $0 != account && $0 != entries[genuine].creditAccountID })
        let accountsAt = Self.heads(before: genuine, entries: entries)
        let debitHead = try #require(accountsAt[account]), otherHead = try #require(accountsAt[other])
        var forged = Entry(
            kind: .posted, transferID: tid(999_999), pendingID: .zero,
            debitAccountID: account, debitSequence: debitHead.sequence + 1, debitPreviousHash: debitHead.hash,
            creditAccountID: other, creditSequence: otherHead.sequence + 1, creditPreviousHash: otherHead.hash,
            ledger: LedgerCode.cny, code: 10, amountFen: 1, releasedFen: 0, timestampMs: entries[genuine].timestampMs,
            expiresAtMs: 0, reference: "forged", hash: .zero)
        forged.hash = forged.computedHash
        entries.insert(forged, at: genuine)
        let report = verify(Self.base.accounts.values, entries)
        let index = try #require(Self.faultIndex(report))
        #expect(index > genuine)
        guard case .sequenceGap(_, _, _, let previousIndex) = report.faults.first else {
            Issue.record("expected a sequence gap, got \(report.faults)")
            return
        }
        #expect(previousIndex == genuine, "the fault points back at the forged entry")
    }

    @Test("an account's limit removed in the accounts table breaks the link to its first entry")
    func accountFlagsEdited() throws {
        var accounts = Self.base.accounts
        let wallet = try #require(accounts[aid(2)])
        accounts[aid(2)] = Account(
            id: wallet.id, ledger: wallet.ledger, code: wallet.code, flags: [], balances: wallet.balances,
            sequence: wallet.sequence, headHash: wallet.headHash)
        let report = verify(accounts.values, Self.base.entries)
        let firstOfWallet = Self.base.entries.firstIndex { $0.debitAccountID == aid(2) || $0.creditAccountID == aid(2) }
        #expect(Self.faultIndex(report) == firstOfWallet)
    }

    @Test("a stored balance edited without touching entries is a balance mismatch")
    func storedBalanceEdited() throws {
        var accounts = Self.base.accounts
        accounts[aid(3)]?.balances.creditsPostedFen += 1_000_000
        let report = verify(accounts.values, Self.base.entries)
        #expect(report.faults == [.balanceMismatch(aid(3), stored: try #require(accounts[aid(3)]).balances, fromEntries: try #require(Self.base.accounts[aid(3)]).balances)])
    }

    @Test("a post edited to resolve a pending transfer twice is caught")
    func doublePost() throws {
        var entries = Self.base.entries
        let posts = entries.indices.filter { entries[$0].kind == .postPending }
        try #require(posts.count >= 2)
        // Point the second post at the first post's pending transfer, as a forger would, hashes and all.
        let first = posts[0], second = posts.first { entries[$0].debitAccountID == entries[first].debitAccountID && $0 != first }
        let target = try #require(second)
        entries[target].pendingID = entries[first].pendingID
        entries[target].hash = entries[target].computedHash
        let report = verify(Self.base.accounts.values, entries)
        #expect(Self.faultIndex(report) == target)
    }

    /// Each account's head just before `index`, from the entries.
    static func heads(before index: Int, entries: [Entry]) -> [AccountID: AccountHead] {
        var heads: [AccountID: AccountHead] = [:]
        for account in base.accounts.values { heads[account.id] = AccountHead(accountID: account.id, sequence: 0, hash: account.genesisHash) }
        for entry in entries[..<index] {
            heads[entry.debitAccountID] = AccountHead(accountID: entry.debitAccountID, sequence: entry.debitSequence, hash: entry.hash)
            heads[entry.creditAccountID] = AccountHead(accountID: entry.creditAccountID, sequence: entry.creditSequence, hash: entry.hash)
        }
        return heads
    }
}
