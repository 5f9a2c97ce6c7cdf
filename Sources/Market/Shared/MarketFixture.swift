import Foundation

/// Demo participants, listings and API keys (Fixtures/parties.json, listings.json, keys.json).
public struct MarketFixture: Sendable {
    public struct PartyRow: Sendable, Decodable {
        public var handle: String
        public var kind: PartyKind
        public var name: String
        public var nameEn: String?
        public var regionCode: RegionCode
        public var creditCode: String?
        public var groupCode: String?

        public var newParty: NewParty {
            NewParty(handle: handle, kind: kind, name: name, nameEn: nameEn, regionCode: regionCode, creditCode: creditCode, groupCode: groupCode)
        }
    }

    public struct ListingRow: Sendable, Decodable {
        public var reference: String
        /// The holding institution's handle.
        public var institution: String
        public var status: ListingStatus
        public var title: String
        public var summary: String
        public var benefit: String?
        public var field: String
        public var keywords: [String]
        public var trl: Int
        public var ipAssets: [IPAsset]
        public var transferModes: [TransferMode]
        public var askingPriceFen: Int64?
        public var negotiable: Bool

        public init(reference: String, institution: String, status: ListingStatus, content: ListingContent) {
            self.reference = reference
            self.institution = institution
            self.status = status
            title = content.title
            summary = content.summary
            benefit = content.benefit
            field = content.fieldCode
            keywords = content.keywords
            trl = content.trl
            ipAssets = content.ipAssets
            transferModes = content.transferModes
            askingPriceFen = content.askingPriceFen
            negotiable = content.negotiable
        }

        public var content: ListingContent {
            ListingContent(
                reference: reference, title: title, summary: summary, benefit: benefit, fieldCode: field, keywords: keywords,
                trl: trl, ipAssets: ipAssets, transferModes: transferModes, askingPriceFen: askingPriceFen)
        }
    }

    public struct KeyRow: Sendable, Decodable {
        public var key: String
        /// The participant's handle; nil for an admin key.
        public var party: String?
        public var role: Role
        public var label: String
    }

    struct PartiesFile: Decodable {
        var groups: [PartyGroup]
        var parties: [PartyRow]
    }

    public var groups: [PartyGroup]
    public var parties: [PartyRow]
    public var listings: [ListingRow]
    public var keys: [KeyRow]

    public init(groups: [PartyGroup], parties: [PartyRow], listings: [ListingRow], keys: [KeyRow]) {
        self.groups = groups
        self.parties = parties
        self.listings = listings
        self.keys = keys
    }

    /// Reads and checks the three files in `directory`: every party and listing obeys the rules
    /// the API enforces, and every handle they refer to exists.
    public static func load(from directory: URL) throws -> MarketFixture {
        func read<T: Decodable>(_ name: String, as type: T.Type) throws -> T { try FixtureError.read(name, in: directory) }
        let partiesFile = try read("parties.json", as: PartiesFile.self)
        let fixture = MarketFixture(
            groups: partiesFile.groups, parties: partiesFile.parties, listings: try read("listings.json", as: [ListingRow].self),
            keys: try read("keys.json", as: [KeyRow].self))
        try fixture.validate()
        return fixture
    }

    public func validate() throws {
        var kinds: [String: PartyKind] = [:]
        for row in parties {
            do {
                _ = try row.newParty.validated()
            } catch {
                throw FixtureError.invalid("party \(row.handle): \(error)")
            }
            guard kinds.updateValue(row.kind, forKey: row.handle) == nil else { throw FixtureError.invalid("party \(row.handle) appears twice") }
        }
        var references: Set<String> = []
        for row in listings {
            guard kinds[row.institution] == .institution else {
                throw FixtureError.invalid("listing \(row.reference): \(row.institution) is not an institution of parties.json")
            }
            guard references.insert("\(row.institution)/\(row.reference)").inserted else {
                throw FixtureError.invalid("listing \(row.reference) of \(row.institution) appears twice")
            }
            guard row.negotiable == (row.askingPriceFen == nil) else {
                throw FixtureError.invalid("listing \(row.reference): negotiable must be true exactly when there is no price")
            }
            do {
                try row.content.validate()
            } catch {
                throw FixtureError.invalid("listing \(row.reference): \(error)")
            }
        }
        for row in keys {
            guard APIKeyText.isWellFormed(row.key) else { throw FixtureError.invalid("key \(row.key) is not well formed") }
            guard row.role.partyKind == row.party.flatMap({ kinds[$0] }) else {
                throw FixtureError.invalid("key \(row.key): role \(row.role.rawValue) does not fit party \(row.party ?? "none")")
            }
        }
    }
}
