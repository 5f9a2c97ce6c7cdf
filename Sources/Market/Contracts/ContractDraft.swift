import Foundation

/// A technology contract's id.
public typealias ContractID = Identifier<Contract>

/// The five types of technology contract (技术合同) the registration measures know.
public enum ContractType: String, Sendable, Codable, CaseIterable {
    /// 技术开发
    case development
    /// 技术转让
    case transfer
    /// 技术许可
    case licence
    /// 技术咨询
    case consulting
    /// 技术服务
    case service

    /// The type of the contract a deal in `mode` becomes: an assignment or an equity contribution
    /// (作价入股, the rights assigned as capital) is a transfer, every licence a licence, a
    /// co-development a development.
    public init(dealIn mode: TransferMode) {
        switch mode {
        case .assignment, .equity: self = .transfer
        case .licenceExclusive, .licenceSole, .licenceNonExclusive: self = .licence
        case .coDevelopment: self = .development
        }
    }
}

/// Where a contract came from.
public enum ContractSource: Sendable, Hashable {
    /// A deal on an offer (the offer's id).
    case offer(Int64)
    /// A hammer on an auction lot (the lot's id).
    case auctionLot(Int64)
    /// Signed outside the market and registered directly by a regulator.
    case direct

    /// How the store and the API name the kind of source.
    public var kind: String {
        switch self {
        case .offer: return "offer"
        case .auctionLot: return "auction_lot"
        case .direct: return "direct"
        }
    }

    /// The offer's or the lot's id; nil for a direct registration.
    public var reference: Int64? {
        switch self {
        case .offer(let id), .auctionLot(let id): return id
        case .direct: return nil
        }
    }

    /// The source of a kind and reference as stored; nil when they do not fit together.
    public init?(kind: String, reference: Int64?) {
        switch (kind, reference) {
        case ("offer", let id?): self = .offer(id)
        case ("auction_lot", let id?): self = .auctionLot(id)
        case ("direct", nil): self = .direct
        default: return nil
        }
    }
}

/// One declared non-technical cost: what comes off the total before the technology amount
/// (DOMAIN.md, "Registration in practice"). The direct cost of a reasonable quantity of
/// technology carriers (drawings, samples, prototypes) is not one of these.
public struct CostLine: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// 设备, bought for the buyer.
        case equipment
        /// 仪器
        case instruments
        /// 零部件
        case parts
        /// 原材料
        case rawMaterials = "raw_materials"
    }

    public var kind: Kind
    public var amountFen: Int64
    /// What it is (an invoice, a model), up to `noteLengthMax` characters.
    public var note: String?

    public static let noteLengthMax = 200

    public init(kind: Kind, amountFen: Int64, note: String? = nil) {
        self.kind = kind
        self.amountFen = amountFen
        self.note = note
    }
}

/// A party to a contract as the contract records it: a participant of the market, or (for a
/// contract registered directly) a legal entity that is not one.
public struct ContractParty: Sendable, Hashable, Codable {
    /// The participant, when the party is one.
    public var partyID: PartyID?
    public var name: String
    /// 统一社会信用代码 (GB 32100-2015).
    public var creditCode: String?
    public var regionCode: RegionCode

    public init(partyID: PartyID?, name: String, creditCode: String?, regionCode: RegionCode) {
        self.partyID = partyID
        self.name = name
        self.creditCode = creditCode
        self.regionCode = regionCode
    }

    /// The participant as a party to a contract.
    public init(_ party: Party) {
        self.init(partyID: party.id, name: party.name, creditCode: party.creditCode, regionCode: party.regionCode)
    }
}

/// A contract as signed, before registration: what a deal (or a regulator, for a contract signed
/// outside the market) hands to the contracts area.
public struct ContractDraft: Sendable, Hashable {
    public var type: ContractType
    public var title: String
    public var seller: ContractParty
    public var buyer: ContractParty
    public var fieldCode: String
    /// The contract's total amount.
    public var totalFen: Int64
    /// Declared non-technical costs, line by line; the technology amount (技术交易额) is the
    /// total less these.
    public var costLines: [CostLine]
    public var signedOn: Day
    public var source: ContractSource
    /// The listing the contract is about, when it came from the market.
    public var listingID: ListingID?
    /// The technology transferred or licensed when no listing names it (a patent number, a
    /// know-how's name), up to `ContractRules.subjectLengthMax` characters.
    public var subject: String?

    /// A deal's contract, which declares no costs (`nonTechnicalCostFen` 0); a lump sum given
    /// here is recorded as one line of equipment (设备), the commonest deduction — declare the
    /// lines (`costLines`) to be exact.
    public init(
        type: ContractType, title: String, seller: ContractParty, buyer: ContractParty, fieldCode: String,
        totalFen: Int64, nonTechnicalCostFen: Int64 = 0, costLines: [CostLine] = [], signedOn: Day, source: ContractSource,
        listingID: ListingID?, subject: String? = nil
    ) {
        self.type = type
        self.title = title
        self.seller = seller
        self.buyer = buyer
        self.fieldCode = fieldCode
        self.totalFen = totalFen
        self.costLines = costLines + (nonTechnicalCostFen == 0 ? [] : [CostLine(kind: .equipment, amountFen: nonTechnicalCostFen)])
        self.signedOn = signedOn
        self.source = source
        self.listingID = listingID
        self.subject = subject
    }

    /// The declared non-technical costs together (saturating: the rules refuse a sum past the total).
    public var nonTechnicalCostFen: Int64 { CostLine.sum(costLines) }

    /// 技术交易额: the total less the declared non-technical costs.
    public var technologyFen: Int64 { totalFen &- nonTechnicalCostFen }
}

extension CostLine {
    /// The lines' amounts together, stopping at Int64.max rather than overflowing.
    public static func sum(_ lines: [CostLine]) -> Int64 {
        lines.reduce(Int64(0)) { total, line in
            let (sum, overflow) = total.addingReportingOverflow(line.amountFen)
            return overflow ? .max : sum
        }
    }
}

/// What a use case that makes a deal needs from the contracts area inside its own unit of work:
/// the signed contract written in the same transaction as the deal.
public protocol ContractSigning {
    /// Writes a signed contract and returns its id.
    func insertSignedContract(_ draft: ContractDraft) throws -> ContractID
}
