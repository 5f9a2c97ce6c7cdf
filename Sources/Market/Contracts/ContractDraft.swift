import Foundation

/// A technology contract's id.
public typealias ContractID = Identifier<ContractDraft>

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
public enum ContractSource: Sendable, Equatable {
    /// A deal on an offer (the offer's id).
    case offer(Int64)
    /// A hammer on an auction lot (the lot's id).
    case auctionLot(Int64)
    /// Signed outside the market and registered directly by a regulator.
    case direct
}

/// A party to a contract as the contract records it: a participant of the market, or (for a
/// contract registered directly) a legal entity that is not one.
public struct ContractParty: Sendable, Equatable {
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
public struct ContractDraft: Sendable, Equatable {
    public var type: ContractType
    public var title: String
    public var seller: ContractParty
    public var buyer: ContractParty
    public var fieldCode: String
    /// The contract's total amount.
    public var totalFen: Int64
    /// Declared non-technical costs (equipment, instruments, parts, raw materials), in fen; the
    /// technology amount (技术交易额) is the total less these.
    public var nonTechnicalCostFen: Int64
    public var signedOn: Day
    public var source: ContractSource
    /// The listing the contract is about, when it came from the market.
    public var listingID: ListingID?

    public init(
        type: ContractType, title: String, seller: ContractParty, buyer: ContractParty, fieldCode: String,
        totalFen: Int64, nonTechnicalCostFen: Int64 = 0, signedOn: Day, source: ContractSource, listingID: ListingID?
    ) {
        self.type = type
        self.title = title
        self.seller = seller
        self.buyer = buyer
        self.fieldCode = fieldCode
        self.totalFen = totalFen
        self.nonTechnicalCostFen = nonTechnicalCostFen
        self.signedOn = signedOn
        self.source = source
        self.listingID = listingID
    }

    /// 技术交易额: the total less the declared non-technical costs.
    public var technologyFen: Int64 { totalFen - nonTechnicalCostFen }
}

/// What a use case that makes a deal needs from the contracts area inside its own unit of work:
/// the signed contract written in the same transaction as the deal.
public protocol ContractSigning {
    /// Writes a signed contract and returns its id.
    func insertSignedContract(_ draft: ContractDraft) throws -> ContractID
}
