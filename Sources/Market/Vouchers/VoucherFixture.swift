import Foundation

/// Demo voucher data (Fixtures/vouchers.json): programs, vouchers and redemptions in every
/// state, loaded through the same use cases as the API, so the ledger holds all of it.
public struct VoucherFixture: Sendable, Decodable {
    public struct ProgramRow: Sendable, Decodable {
        public var key: String
        /// The regulator's handle; the program is for its region.
        public var regulator: String
        /// The rest of the row, as a regulator would send it.
        public var terms: ProgramTerms

        enum CodingKeys: String, CodingKey { case key, regulator }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            key = try container.decode(String.self, forKey: .key)
            regulator = try container.decode(String.self, forKey: .regulator)
            terms = try ProgramTerms(from: decoder)
        }

        /// The terms with the dates moved on by whole years until the program is still open
        /// `today`, so that the demo never goes stale.
        public func terms(openOn today: Day) -> ProgramTerms {
            var terms = self.terms
            while terms.useBy < today {
                terms.useBy = terms.useBy.addingYears(1)
                terms.claimBy = terms.claimBy.addingYears(1)
            }
            return terms
        }
    }

    public struct VoucherRow: Sendable, Decodable {
        public var number: String
        /// The program's key.
        public var program: String
        /// The firm's handle.
        public var firm: String
        public var faceValueFen: Int64
    }

    public struct RedemptionRow: Sendable, Decodable {
        public var voucher: String
        /// The provider's handle.
        public var provider: String
        public var contractReference: String
        public var contractAmountFen: Int64
        public var voucherAmountFen: Int64
        public var ownPaymentFen: Int64
        /// held, claimed, approved, rejected or paid.
        public var state: Redemption.Status
        public var evidence: [String]
        public var reason: String?
    }

    public var programs: [ProgramRow]
    public var vouchers: [VoucherRow]
    public var redemptions: [RedemptionRow]

    public static func load(from directory: URL) throws -> VoucherFixture {
        let fixture: VoucherFixture = try FixtureError.read("vouchers.json", in: directory)
        for program in fixture.programs {
            do { try program.terms.validate() } catch { throw FixtureError.invalid("program \(program.key): \(error)") }
        }
        return fixture
    }
}
