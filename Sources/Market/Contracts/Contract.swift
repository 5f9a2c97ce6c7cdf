import Foundation

/// Where a contract is in its life (docs/contracts.md): `signed` → `registered` → (`changed` →
/// `registered` again) or `terminated`.
public enum ContractStatus: String, Sendable, Codable, CaseIterable {
    /// Signed by both sides, not yet registered.
    case signed
    /// 认定登记: registered by the seller-side regulator; its technology amount counts.
    case registered
    /// A change agreed after registration, waiting to be registered again.
    case changed
    /// Ended; a registered contract's termination is registered and takes its amount out.
    case terminated
}

/// A registration (认定登记) as a contract carries it: the number stays for the contract's life;
/// each change or termination registered again adds a revision.
public struct Registration: Sendable, Hashable, Codable {
    /// `ContractRules.registrationNumber`: year, the registering region, a serial.
    public var number: String
    /// 0 for the first registration, then 1, 2, … for each change or termination registered.
    public var revision: Int
    /// The day of this revision's registration.
    public var registeredOn: Day
    /// The day of the first registration: its year is the number's.
    public var firstRegisteredOn: Day
    /// The registering regulator's region (the seller's, or one above it).
    public var regionCode: RegionCode

    public init(number: String, revision: Int, registeredOn: Day, firstRegisteredOn: Day, regionCode: RegionCode) {
        self.number = number
        self.revision = revision
        self.registeredOn = registeredOn
        self.firstRegisteredOn = firstRegisteredOn
        self.regionCode = regionCode
    }
}

/// The terms of a contract that a change may alter; every version keeps a copy.
public struct ContractTerms: Sendable, Hashable, Codable {
    public var title: String
    public var totalFen: Int64
    public var costLines: [CostLine]

    public init(title: String, totalFen: Int64, costLines: [CostLine]) {
        self.title = title
        self.totalFen = totalFen
        self.costLines = costLines
    }

    public var nonTechnicalCostFen: Int64 { CostLine.sum(costLines) }
    /// 技术交易额
    public var technologyFen: Int64 { totalFen &- nonTechnicalCostFen }
}

/// A technology contract (技术合同) as it stands now.
public struct Contract: Sendable, Hashable {
    public var id: ContractID
    public var type: ContractType
    public var status: ContractStatus
    public var seller: ContractParty
    public var buyer: ContractParty
    public var fieldCode: String
    public var terms: ContractTerms
    public var signedOn: Day
    public var source: ContractSource
    public var listingID: ListingID?
    public var subject: String?
    /// Nil until first registered.
    public var registration: Registration?
    /// The technology amount that counts in the volume now: the registered one (a change waiting
    /// to be registered does not count yet; a terminated contract's is 0).
    public var registeredTechnologyFen: Int64
    /// 1 when signed; each change of state or terms adds one (`versions` keeps them all).
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: ContractID, type: ContractType, status: ContractStatus, seller: ContractParty, buyer: ContractParty, fieldCode: String,
        terms: ContractTerms, signedOn: Day, source: ContractSource, listingID: ListingID?, subject: String?, registration: Registration?,
        registeredTechnologyFen: Int64, version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.type = type
        self.status = status
        self.seller = seller
        self.buyer = buyer
        self.fieldCode = fieldCode
        self.terms = terms
        self.signedOn = signedOn
        self.source = source
        self.listingID = listingID
        self.subject = subject
        self.registration = registration
        self.registeredTechnologyFen = registeredTechnologyFen
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One kept version of a contract: its state and terms after one act, who did it and why.
public struct ContractVersion: Sendable, Hashable {
    /// What made the version.
    public enum Act: String, Sendable, Codable, CaseIterable {
        case signed
        /// Recorded and registered at once by a regulator (a contract signed outside the market).
        case registeredDirectly = "registered_directly"
        case registered
        case changed
        case terminated
    }

    public var version: Int
    public var act: Act
    public var status: ContractStatus
    public var terms: ContractTerms
    public var registration: Registration?
    /// What this act moved in the volume, in the year of its registration: the first
    /// registration its technology amount, a change its difference, a termination minus what
    /// was counted; 0 for an act that registers nothing.
    public var countedDeltaFen: Int64
    public var reason: String?
    /// Who did it, as their role; nil for the market itself (a deal signed the contract).
    public var byRole: Role?
    public var recordedAt: Date

    public init(
        version: Int, act: Act, status: ContractStatus, terms: ContractTerms, registration: Registration?, countedDeltaFen: Int64,
        reason: String?, byRole: Role?, recordedAt: Date
    ) {
        self.version = version
        self.act = act
        self.status = status
        self.terms = terms
        self.registration = registration
        self.countedDeltaFen = countedDeltaFen
        self.reason = reason
        self.byRole = byRole
        self.recordedAt = recordedAt
    }
}

/// A contract with every version, oldest first.
public struct ContractHistory: Sendable, Hashable {
    public var contract: Contract
    public var versions: [ContractVersion]

    public init(contract: Contract, versions: [ContractVersion]) {
        self.contract = contract
        self.versions = versions
    }
}

/// Which contracts a caller may see.
public enum ContractVisibility: Sendable, Equatable {
    case all
    /// A participant's: it is the seller or the buyer.
    case party(PartyID)
    /// A regulator's: the seller or the buyer is in the region or a region below it.
    case region(RegionCode)
}

/// Which side of a contract a filter looks at.
public enum ContractSide: String, Sendable, Codable, CaseIterable {
    /// 技术输出
    case seller
    /// 技术吸纳
    case buyer
}

/// The filters of `GET /v1/contracts`, as the caller gave them.
public struct ContractFilter: Sendable, Equatable {
    public var status: ContractStatus?
    public var type: ContractType?
    public var fieldCode: String?
    /// The year of the first registration (the registration number's year).
    public var year: Int?
    /// With `region`: that side is in the region (or below); without: the caller's own side
    /// (the participant, or the regulator's region).
    public var side: ContractSide?
    public var region: RegionCode?

    public init(
        status: ContractStatus? = nil, type: ContractType? = nil, fieldCode: String? = nil, year: Int? = nil, side: ContractSide? = nil,
        region: RegionCode? = nil
    ) {
        self.status = status
        self.type = type
        self.fieldCode = fieldCode
        self.year = year
        self.side = side
        self.region = region
    }
}

/// A list of contracts as the store reads it: the caller's visibility, then the filter made
/// concrete (`AccessPolicy.contractQuery`).
public struct ContractQuery: Sendable, Equatable {
    public var visibility: ContractVisibility
    public var status: ContractStatus?
    public var type: ContractType?
    public var fieldCode: String?
    public var year: Int?
    public var sellerParty: PartyID?
    public var buyerParty: PartyID?
    /// The seller (or buyer, or either) is in this region or below it.
    public var sellerRegion: RegionCode?
    public var buyerRegion: RegionCode?
    public var eitherRegion: RegionCode?

    public init(visibility: ContractVisibility, filter: ContractFilter) {
        self.visibility = visibility
        status = filter.status
        type = filter.type
        fieldCode = filter.fieldCode
        year = filter.year
    }
}

/// A change of a registered contract's terms, as a party or its regulator records it.
public struct ContractChange: Sendable, Equatable {
    /// Nil keeps the title.
    public var title: String?
    public var totalFen: Int64
    public var costLines: [CostLine]
    public var reason: String

    public init(title: String?, totalFen: Int64, costLines: [CostLine], reason: String) {
        self.title = title
        self.totalFen = totalFen
        self.costLines = costLines
        self.reason = reason
    }

    /// The terms after the change.
    public func terms(from current: ContractTerms) -> ContractTerms {
        ContractTerms(title: title ?? current.title, totalFen: totalFen, costLines: costLines)
    }
}
