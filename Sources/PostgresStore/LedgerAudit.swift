import Foundation
import Ledger
import Postgres
import Synchronization

/// Reads the ledger tables for the admins' audit: verification, the trial balance, statements,
/// exports, the chain head. Plain synchronous code for the command line, on one connection
/// (and, while `verify` streams the entries, a second one for the orphan search).
public struct LedgerAudit {
    /// Entries fetched per round trip while streaming.
    public static let pageSizeMax = 20_000
    /// Orphan transfers or entries a report lists; past this there is plainly something wrong.
    public static let orphansListedMax = 100

    public let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// What `verify` found, with the stored rows behind each entry location.
    public struct Audit {
        public var report: VerificationReport
        /// The `entry_id` of each entry in the order the verifier saw them.
        public var entryIDs: [Int64]
        /// Transfers with no entry, or entries with no transfer: rows an intruder added or removed.
        public var orphanTransfers: [TransferID]
        public var orphanEntries: [Int64]
        /// The ledger digest of the heads stored in the accounts table.
        public var storedDigest: ChainDigest

        public var isClean: Bool { report.isClean && orphanTransfers.isEmpty && orphanEntries.isEmpty }

        /// The stored `entry_id` of the entry the verifier names at `index`.
        public func entryID(at index: Int) -> Int64? { entryIDs.indices.contains(index) ? entryIDs[index] : nil }
    }

    static let entryColumnCount = 20

    /// Verifies every chain, balance and limit; `progress` gets (entries done, entries in all).
    ///
    /// Everything is read in one repeatable-read snapshot, so a ledger that is being written
    /// while it is audited verifies as it stood at the start. The search for orphan rows runs at
    /// the same time on a second connection that shares the snapshot; when that connection cannot
    /// be opened, cannot take the snapshot (a conninfo that may reach another host) or waits on a
    /// lock (a schema change queued behind this audit would otherwise wait on it for ever), the
    /// search runs on this connection afterwards.
    public func verify(
        checkpoint: [AccountID: UInt64] = [:], atMs nowMs: Int64, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Audit {
        try connection.transaction(isolation: .repeatableRead) { connection in
            try connection.execute("SET TRANSACTION READ ONLY; SET LOCAL jit = off")
            let snapshot = try connection.query("SELECT pg_export_snapshot() AS id")[0].decode("id", as: String.self)
            guard !snapshot.isEmpty, snapshot.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) })
            else { throw PostgresDecodingError.invalidValue(column: "id", expected: "a snapshot id such as 00000003-0000001B-1", text: snapshot) }
            let orphanSearch = BackgroundWork { [conninfo = connection.conninfo] in
                let side = try PostgresConnection(conninfo: conninfo)
                defer { side.close() }
                return try side.transaction(isolation: .repeatableRead) { side in
                    try side.execute("SET TRANSACTION READ ONLY; SET TRANSACTION SNAPSHOT '\(snapshot)'")
                    // One process, no JIT: the COPY on the main connection is the longer job, and
                    // the cores are better left to it. No hash joins: both tables have an index in
                    // transfer-id order (the transfers' key, the entries' unique (transfer, kind)),
                    // so a merge anti-join walks the two in step, where a hash join builds a table
                    // of every id and, past work_mem, spills it to temporary files (verify went
                    // from about 520,000 to 575,000–630,000 entries/s over a million entries).
                    try side.execute(
                        "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off; SET LOCAL enable_hashjoin = off; SET LOCAL lock_timeout = '\(Self.sideLockTimeoutMs)ms'")
                    return try Self.orphans(on: side)
                }
            }
            let entries: Audit
            do {
                entries = try Self.verifyEntries(on: connection, checkpoint: checkpoint, atMs: nowMs, progress: progress)
            } catch {
                _ = try? orphanSearch.wait()  // its connection closed before the error goes up
                throw error
            }
            var audit = entries
            let orphans: Orphans
            do {
                orphans = try orphanSearch.wait()
            } catch is PostgresError {
                orphans = try Self.orphans(on: connection)
            }
            audit.orphanTransfers = orphans.transfers
            audit.orphanEntries = orphans.entries
            return audit
        }
    }

    /// How long the orphan search's connection waits for a lock before the search moves to the
    /// main connection.
    static let sideLockTimeoutMs = 2_000

    /// The chains, balances and limits: the accounts, then every entry in one binary COPY.
    private static func verifyEntries(
        on connection: PostgresConnection, checkpoint: [AccountID: UInt64], atMs nowMs: Int64, progress: (Int, Int) -> Void
    ) throws -> Audit {
        let total = try connection.query("SELECT count(*) AS n FROM ledger_entries")[0].decode("n", as: Int.self)
        var verifier = ChainVerifier(checkpoint: checkpoint)
        var heads = ChainDigest.Builder()
        for row in try connection.query("SELECT \(PostgresLedgerStore.accountColumns) FROM ledger_accounts ORDER BY id") {
            let account = try PostgresLedgerStore.account(row)
            verifier.register(account)
            heads.add(account.head)
        }
        var entryIDs: [Int64] = []
        entryIDs.reserveCapacity(total)
        // The server sends rows while this thread checks the earlier ones, nothing is formatted
        // as text on either side, and no result of a million rows is held whole.
        let row = CopyRow(fieldCount: Self.entryColumnCount)
        var stopped = false
        try connection.copyOut(
            "COPY (SELECT \(PostgresLedgerStore.entryColumns) FROM ledger_entries ORDER BY entry_id) TO STDOUT (FORMAT binary)"
        ) { bytes in
            guard !stopped, try row.read(bytes) else { return }
            let (entryID, entry) = try PostgresLedgerStore.entry(
                int: { try row.int64($0) }, hash: { try row.hash($0) }, text: { try row.text($0) })
            entryIDs.append(entryID)
            if !verifier.feed(entry) { stopped = true }
            if entryIDs.count % Self.pageSizeMax == 0 { progress(entryIDs.count, total) }
        }
        progress(entryIDs.count, total)
        return Audit(
            report: verifier.finish(atMs: nowMs), entryIDs: entryIDs, orphanTransfers: [], orphanEntries: [],
            storedDigest: heads.finish())
    }

    struct Orphans: Sendable {
        var transfers: [TransferID]
        var entries: [Int64]
    }

    /// Transfers with no entry and entries with no transfer, the first `orphansListedMax` of each.
    private static func orphans(on connection: PostgresConnection) throws -> Orphans {
        let transfers = try connection.query(
            """
            SELECT id_high, id_low FROM ledger_transfers t WHERE NOT EXISTS (
                SELECT 1 FROM ledger_entries e WHERE e.transfer_id_high = t.id_high AND e.transfer_id_low = t.id_low)
            ORDER BY id_high, id_low LIMIT $1
            """, Self.orphansListedMax
        ).map { TransferID(high: UInt64(bitPattern: try $0.decode("id_high")), low: UInt64(bitPattern: try $0.decode("id_low"))) }
        let entries = try connection.query(
            """
            SELECT entry_id FROM ledger_entries e WHERE NOT EXISTS (
                SELECT 1 FROM ledger_transfers t WHERE e.transfer_id_high = t.id_high AND e.transfer_id_low = t.id_low)
            ORDER BY entry_id LIMIT $1
            """, Self.orphansListedMax
        ).map { try $0.decode("entry_id", as: Int64.self) }
        return Orphans(transfers: transfers, entries: entries)
    }

    /// The digest of the stored chain heads, recorded as a checkpoint so it can be checked later.
    public func head() throws -> (checkpointID: Int64, digest: ChainDigest) {
        var builder = ChainDigest.Builder()
        var ids: [String] = []
        var sequences: [String] = []
        try connection.transaction(isolation: .repeatableRead) { connection in
            for row in try connection.query("SELECT \(PostgresLedgerStore.accountColumns) FROM ledger_accounts ORDER BY id") {
                let account = try PostgresLedgerStore.account(row)
                builder.add(account.head)
                ids.append(String(Int64(bitPattern: account.id.rawValue)))
                sequences.append(String(Int64(bitPattern: account.sequence)))
            }
        }
        let digest = builder.finish()
        let id = try connection.query(
            """
            INSERT INTO ledger_checkpoints (digest, account_ids, sequences, entry_count)
            VALUES ($1, string_to_array($2, ',')::bigint[], string_to_array($3, ',')::bigint[], $4) RETURNING id
            """,
            PostgresBytes(digest.hash.bytes), ids.joined(separator: ","), sequences.joined(separator: ","),
            Int64(bitPattern: digest.entryCount)
        )[0].decode("id", as: Int64.self)
        return (id, digest)
    }

    /// The cut recorded by checkpoint `id`: each account's sequence when it was taken.
    public func checkpoint(_ id: Int64) throws -> [AccountID: UInt64]? {
        guard let row = try connection.query(
            "SELECT array_to_string(account_ids, ',') AS ids, array_to_string(sequences, ',') AS seqs FROM ledger_checkpoints WHERE id = $1", id
        ).first else { return nil }
        let ids = try row.decode("ids", as: String.self).split(separator: ",").compactMap { Int64($0) }
        let sequences = try row.decode("seqs", as: String.self).split(separator: ",").compactMap { Int64($0) }
        var cut: [AccountID: UInt64] = [:]
        for (id, sequence) in zip(ids, sequences) { cut[AccountID(UInt64(bitPattern: id))] = UInt64(bitPattern: sequence) }
        return cut
    }

    /// One account's line in the trial balance.
    public struct BalanceLine {
        public var account: Account
        public var name: String
    }

    /// Every account with its balances, by id.
    public func trialBalance() throws -> [BalanceLine] {
        try connection.query("SELECT \(PostgresLedgerStore.accountColumns), name FROM ledger_accounts ORDER BY id").map {
            BalanceLine(account: try PostgresLedgerStore.account($0), name: try $0.decode("name"))
        }
    }

    /// What a ledger account is for and whose it is, from the business table that names it
    /// (docs/vouchers.md, "Accounts"); `other` for an account no table names (the demo's
    /// hand-made ones, Fixtures/ledger.json), known then only by its stored name and code.
    public struct AccountOwner: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case treasury, programBudget = "program_budget", voucher, payable, settled, other
        }
        public var kind: Kind
        /// treasury: its region; payable: the issuing region.
        public var regionCode: String?
        public var regionName: String?
        /// program budget: the program; voucher: the voucher's program.
        public var programID: Int64?
        public var programName: String?
        public var voucherNumber: String?
        /// voucher: the firm holding it; payable and settled: the provider.
        public var partyHandle: String?
        public var partyName: String?
        /// payable: which of the provider's shards (Schema/0011).
        public var shard: Int?
    }

    /// An account, its stored name and what it is for.
    public struct OwnedAccount: Sendable {
        public var account: Account
        public var storedName: String
        public var owner: AccountOwner
    }

    /// Every account, or the one `id`, with its owner, by id.
    public func ownedAccounts(id: AccountID? = nil) throws -> [OwnedAccount] {
        try connection.query(
            """
            SELECT \(PostgresLedgerStore.accountColumns.split(separator: ",").map { "a." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")),
                a.name,
                ra.region_code AS treasury_region, rr.name AS treasury_region_name,
                p.id AS budget_program_id, p.name AS budget_program_name, p.issuer_region AS budget_region, br.name AS budget_region_name,
                v.number AS voucher_number, v.program_id AS voucher_program_id, vp.name AS voucher_program_name,
                vf.handle AS voucher_firm_handle, vf.name AS voucher_firm_name,
                pa.issuer_region AS payable_region, pr.name AS payable_region_name, pa.shard::integer AS payable_shard,
                pp.handle AS payable_provider_handle, pp.name AS payable_provider_name,
                sp.handle AS settled_provider_handle, sp.name AS settled_provider_name
            FROM ledger_accounts a
            LEFT JOIN voucher_region_accounts ra ON ra.account_id = a.id LEFT JOIN regions rr ON rr.code = ra.region_code
            LEFT JOIN voucher_programs p ON p.budget_account_id = a.id LEFT JOIN regions br ON br.code = p.issuer_region
            LEFT JOIN vouchers v ON v.account_id = a.id LEFT JOIN voucher_programs vp ON vp.id = v.program_id
                LEFT JOIN parties vf ON vf.id = v.firm_id
            LEFT JOIN voucher_payable_accounts pa ON pa.account_id = a.id LEFT JOIN regions pr ON pr.code = pa.issuer_region
                LEFT JOIN parties pp ON pp.id = pa.provider_id
            LEFT JOIN voucher_settled_accounts sa ON sa.account_id = a.id LEFT JOIN parties sp ON sp.id = sa.provider_id
            WHERE $1::bigint IS NULL OR a.id = $1
            ORDER BY a.id
            """,
            id.map { Int64(bitPattern: $0.rawValue) }
        ).map { row in
            var owner = AccountOwner(kind: .other)
            if let region = try row.decode("treasury_region", as: String?.self) {
                owner = AccountOwner(kind: .treasury, regionCode: region, regionName: try row.decode("treasury_region_name"))
            } else if let program = try row.decode("budget_program_id", as: Int64?.self) {
                owner = AccountOwner(
                    kind: .programBudget, regionCode: try row.decode("budget_region"), regionName: try row.decode("budget_region_name"),
                    programID: program, programName: try row.decode("budget_program_name"))
            } else if let number = try row.decode("voucher_number", as: String?.self) {
                owner = AccountOwner(
                    kind: .voucher, programID: try row.decode("voucher_program_id"), programName: try row.decode("voucher_program_name"),
                    voucherNumber: number, partyHandle: try row.decode("voucher_firm_handle"), partyName: try row.decode("voucher_firm_name"))
            } else if let region = try row.decode("payable_region", as: String?.self) {
                owner = AccountOwner(
                    kind: .payable, regionCode: region, regionName: try row.decode("payable_region_name"),
                    partyHandle: try row.decode("payable_provider_handle"), partyName: try row.decode("payable_provider_name"),
                    shard: (try row.decode("payable_shard", as: Int32?.self)).map(Int.init))
            } else if let handle = try row.decode("settled_provider_handle", as: String?.self) {
                owner = AccountOwner(kind: .settled, partyHandle: handle, partyName: try row.decode("settled_provider_name"))
            }
            return OwnedAccount(account: try PostgresLedgerStore.account(row), storedName: try row.decode("name"), owner: owner)
        }
    }

    /// The ledger account of voucher `number`, or nil when there is no such voucher.
    public func voucherAccount(number: String) throws -> AccountID? {
        try connection.query("SELECT account_id FROM vouchers WHERE number = $1", number).first
            .map { AccountID(UInt64(bitPattern: try $0.decode("account_id", as: Int64.self))) }
    }

    /// The budget account of program `id`, or nil when there is no such program.
    public func programAccount(_ id: Int64) throws -> AccountID? {
        try connection.query("SELECT budget_account_id FROM voucher_programs WHERE id = $1", id).first
            .map { AccountID(UInt64(bitPattern: try $0.decode("budget_account_id", as: Int64.self))) }
    }

    /// The accounts of the participant with `handle`: a firm's vouchers and auction deposit
    /// account, a provider's payable shards and settled account, a seller's compensation for
    /// defaults, a regulator's region's treasury and program budgets; nil when there is no such
    /// participant.
    public func partyAccounts(handle: String) throws -> [AccountID]? {
        guard let party = try connection.query("SELECT id, region_code, kind FROM parties WHERE handle = $1", handle).first else { return nil }
        let id: Int64 = try party.decode("id")
        let region: String = try party.decode("region_code")
        let regulator = try party.decode("kind", as: String.self) == "regulator"
        return try connection.query(
            """
            SELECT account_id FROM vouchers WHERE firm_id = $1
            UNION SELECT account_id FROM voucher_payable_accounts WHERE provider_id = $1
            UNION SELECT account_id FROM voucher_settled_accounts WHERE provider_id = $1
            UNION SELECT account_id FROM voucher_region_accounts WHERE $3::boolean AND region_code = $2
            UNION SELECT budget_account_id FROM voucher_programs WHERE $3::boolean AND issuer_region = $2
            UNION SELECT account_id FROM auction_accounts WHERE kind IN ('deposit', 'compensation') AND owner = $1
            ORDER BY 1
            """,
            id, region, regulator
        ).map { AccountID(UInt64(bitPattern: try $0.decode("account_id", as: Int64.self))) }
    }

    /// The account's label, or nil when there is no such account.
    public func accountName(_ id: AccountID) throws -> String? {
        try connection.query("SELECT name FROM ledger_accounts WHERE id = $1", Int64(bitPattern: id.rawValue)).first?.decode("name")
    }

    /// Entries in `entry_id` order, optionally those of one account, between two times (ms, inclusive
    /// start, exclusive end); `body` is called page by page so that exports stream.
    public func entries(
        account: AccountID? = nil, fromMs: Int64?, toMs: Int64?, _ body: ([(entryID: Int64, entry: Entry)]) throws -> Void
    ) throws {
        var after = Int64.min  // forged rows may carry any id
        let accountID = account.map { Int64(bitPattern: $0.rawValue) }
        while true {
            let rows = try connection.query(
                """
                SELECT \(PostgresLedgerStore.entryColumns) FROM ledger_entries
                WHERE entry_id > $1 AND ($2::bigint IS NULL OR debit_account_id = $2 OR credit_account_id = $2)
                  AND ($3::bigint IS NULL OR timestamp_ms >= $3) AND ($4::bigint IS NULL OR timestamp_ms < $4)
                ORDER BY entry_id LIMIT $5
                """,
                after, accountID, fromMs, toMs, Self.pageSizeMax)
            if rows.isEmpty { return }
            let page = try rows.map(PostgresLedgerStore.entry)
            try body(page)
            after = page[page.count - 1].entryID
        }
    }
}

/// Work run on a thread of its own while the caller goes on; `wait()` returns its result.
final class BackgroundWork<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () throws -> Value) {
        Thread.detachNewThread { [self] in
            let outcome = Result { try work() }
            result.withLock { $0 = outcome }
            done.signal()
        }
    }

    func wait() throws -> Value {
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
