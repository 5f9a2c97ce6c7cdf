import Ledger
import LedgerTestSupport
import Testing

@Suite struct ChainDigestTests {
    @Test("the digest ignores the order heads are given in and changes with any head")
    func digest() {
        let ledger = TamperDetectionTests.base
        let heads = ledger.accounts.values.map(\.head)
        #expect(ChainDigest.of(heads) == ChainDigest.of(heads.reversed()))
        #expect(ChainDigest.of(heads).accountCount == ledger.accounts.count)
        #expect(ChainDigest.of(heads).entryCount == UInt64(ledger.entries.count))
        var changed = heads
        changed[0].sequence += 1
        #expect(ChainDigest.of(changed) != ChainDigest.of(heads))
        #expect(ChainDigest.of(heads.dropLast()) != ChainDigest.of(heads))
        #expect(ChainDigest.of(heads).description.hasPrefix("ledger head "))
    }

    @Test("an empty ledger's digest is stable")
    func emptyLedger() {
        // SHA-256 of the heads magic "TMLH", version 1 and a count of zero heads (an eight-byte
        // zero), worked out apart from the code: `printf 'TMLH\x01' ; head -c 8 /dev/zero`.
        #expect(ChainDigest.of([]).hash.hex == "680b14e021d1f49378e95a53c1ba4d50432564bef7a21708c40bb3d30f783d97")
        #expect(ChainDigest.of([]).accountCount == 0)
        #expect(ChainDigest.of([]).entryCount == 0)
    }

    @Test("a checkpoint printed earlier is recomputed from a ledger that grew since")
    func checkpoint() {
        var ledger = sampleLedger(fundingFen: 10_000)
        _ = ledger.apply([plain(1, from: 2, to: 3, 100), hold(2, from: 3, to: 2, 50)], atMs: 2_000)
        let printed = ledger.digest
        let cut = Dictionary(uniqueKeysWithValues: ledger.accounts.values.map { ($0.id, $0.sequence) })
        _ = ledger.apply([plain(3, from: 2, to: 3, 100), .post(id: tid(4), pendingID: tid(2), amountFen: 50)], atMs: 3_000)
        _ = ledger.createAccount(Account(id: aid(7), code: 1))
        let report = verify(ledger.accounts.values, ledger.entries, checkpoint: cut)
        #expect(report.isClean)
        #expect(report.checkpointDigest == printed)
        #expect(report.digest == ledger.digest)
        #expect(report.digest != printed)
    }

    @Test("history rewritten before a checkpoint, hashes and heads recomputed, no longer matches the printed digest")
    func checkpointCatchesRewrite() {
        var honest = sampleLedger(fundingFen: 10_000)
        _ = honest.apply([plain(1, from: 2, to: 3, 100)], atMs: 2_000)
        let printed = honest.digest
        let cut = Dictionary(uniqueKeysWithValues: honest.accounts.values.map { ($0.id, $0.sequence) })
        // The forger replays a different history from scratch: every chain is consistent again.
        var forged = sampleLedger(fundingFen: 10_000)
        _ = forged.apply([plain(1, from: 2, to: 3, 90)], atMs: 2_000)
        let report = verify(forged.accounts.values, forged.entries, checkpoint: cut)
        #expect(report.isClean, "the forged database is self-consistent")
        #expect(report.checkpointDigest != printed, "but the digest kept outside exposes it")
    }

    @Test("a checkpoint beyond the entries is reported")
    func checkpointNotReached() {
        let ledger = sampleLedger(fundingFen: 10_000)
        let report = verify(ledger.accounts.values, ledger.entries, checkpoint: [aid(2): 5, aid(42): 1])
        #expect(report.faults.contains(.checkpointNotReached(aid(2), checkpointSequence: 5, entriesSequence: 1)))
        #expect(report.faults.contains(.checkpointNotReached(aid(42), checkpointSequence: 1, entriesSequence: nil)))
    }
}
