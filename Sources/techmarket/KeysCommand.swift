import ArgumentParser
import Foundation
import Market
import Postgres
import PostgresStore

/// `techmarket keys …`: API keys for participants and admins.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Issue, list and revoke API keys.", subcommands: [Issue.self, List.self, Revoke.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key for a participant (or an admin key) and print it once; only its hash is kept.")
        @Option(help: "The participant's handle or id (see `techmarket parties list`); none for --role admin.")
        var party: String?
        @Option(help: "institution, firm, provider, regulator or admin; must match the participant's kind.")
        var role: String
        @Option(help: "A note saying who holds the key.")
        var label: String = ""
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")), not '\(self.role)'")
            }
            try await withStore(database) { store in
                var partyID: PartyID?
                if let party {
                    guard let found = try await PartiesCommand.find(party, in: store) else {
                        throw ValidationError("no participant '\(party)'; `techmarket parties list` shows them")
                    }
                    partyID = found.id
                }
                let (key, info) = try await store.issueKey(role: role, party: partyID, label: label)
                printError("issued key \(info.id) (\(role.rawValue)\(info.partyHandle.map { " for \($0)" } ?? "")); it is shown only now:")
                print(key)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (their first characters only).")
        @Option(help: "table, csv or json.") var format: ListingFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await withStore(database) { store in
                let keys = try await store.keys()
                if format == .json {
                    try printJSON(keys.map { key -> [String: Any] in
                        ["id": key.id, "key": key.hint, "role": key.role.rawValue, "party": key.partyHandle ?? NSNull(),
                         "state": key.isRevoked ? "revoked" : "active", "label": key.label]
                    })
                    return
                }
                var table = TextTable([("id", .right), ("key", .left), ("role", .left), ("party", .left), ("state", .left), ("label", .left)])
                for key in keys {
                    table.add([String(key.id), key.hint, key.role.rawValue, key.partyHandle ?? "-", key.isRevoked ? "revoked" : "active", key.label])
                }
                print(format == .csv ? table.csv() : table.render(), terminator: "")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id (from `keys list`); it stops working at once.")
        @Argument(help: "The key's id.")
        var id: Int64
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await withStore(database) { store in
                guard try await store.revokeKey(id: id) else {
                    printError("error: no active key \(id)")
                    throw ExitCode(1)
                }
                print("revoked key \(id)")
            }
        }
    }
}

/// `techmarket parties …`: the participants' directory.
struct PartiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parties", abstract: "List participants.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List participants with their handles, kinds and regions.")
        @Option(help: "Only institution, firm, provider or regulator.")
        var kind: String?
        @Option(help: "table, csv or json.") var format: ListingFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let kind = try kind.map { text in
                guard let kind = PartyKind(rawValue: text) else {
                    throw ValidationError("--kind must be one of institution, firm, provider, regulator, not '\(text)'")
                }
                return kind
            }
            try await withStore(database) { store in
                var parties: [Party] = []
                var after: PartyID?
                while true {
                    let page = try await store.parties(PartyQuery(kind: kind, limit: PartyQuery.limitMax, after: after))
                    parties += page
                    guard page.count == PartyQuery.limitMax else { break }
                    after = page.last?.id
                }
                if format == .json {
                    try printJSON(parties.map { party -> [String: Any] in
                        ["id": party.id.value, "handle": party.handle, "kind": party.kind.rawValue, "region": party.regionCode.value,
                         "creditCode": party.creditCode ?? NSNull(), "name": party.name]
                    })
                    return
                }
                var table = TextTable([("id", .right), ("handle", .left), ("kind", .left), ("region", .left), ("credit code", .left), ("name", .left)])
                for party in parties {
                    table.add([String(party.id.value), party.handle, party.kind.rawValue, party.regionCode.value, party.creditCode ?? "-", party.name])
                }
                print(format == .csv ? table.csv() : table.render(), terminator: "")
            }
        }
    }

    static func find(_ text: String, in store: PostgresMarketStore) async throws -> Party? {
        if let id = Int64(text) { return try await store.party(PartyID(id)) }
        return try await store.party(handle: text)
    }
}

/// Opens the database (migrated), runs `body` with a store, and turns the market's refusals
/// into a message and exit status 1.
func withStore(_ database: DatabaseOptions, _ body: (PostgresMarketStore) async throws -> Void) async throws {
    let opened = try database.open(log: printError)
    _ = try await Setup.prepare(conninfo: opened.conninfo, load: .nothing)
    let pool = opened.pool(size: 1)
    do {
        try await body(PostgresMarketStore(pool: pool))
        await pool.close()
    } catch let error as MarketError {
        await pool.close()
        printError("error: \(error)")
        throw ExitCode(1)
    } catch {
        await pool.close()
        throw error
    }
}
