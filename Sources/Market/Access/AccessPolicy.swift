/// Which programs a caller may see.
public enum ProgramVisibility: Sendable, Equatable {
    case all
    /// The programs of one issuing region.
    case issuer(RegionCode)
}

/// Which vouchers a caller may see.
public enum VoucherVisibility: Sendable, Equatable {
    case all
    /// The vouchers a firm holds.
    case holder(PartyID)
    /// The vouchers of one issuing region's programs.
    case issuer(RegionCode)
}

/// Which redemptions a caller may see.
public enum RedemptionVisibility: Sendable, Equatable {
    case all
    /// A firm's, on the vouchers it holds.
    case holder(PartyID)
    /// A provider's, paid to it.
    case provider(PartyID)
    /// One issuing region's.
    case issuer(RegionCode)
    /// None at all (an empty list, not a refusal).
    case none
}

/// Who may see and do what, for every resource and action of the market: plain functions over
/// the caller and the resource, and the one place in the code that decides by role. Lists get a
/// visibility value that the store turns into SQL. Every role × action is in AccessPolicyTests.
///
/// Settlement (docs/vouchers.md, "Who settles"): paying a region's debts is its regulator's act,
/// so over the API only a regulator of the issuing region settles; the operator may settle for
/// a region from the command line (`techmarket vouchers settle`), never with an admin API key.
public enum AccessPolicy {
    // MARK: - Participants

    /// Only the operator registers participants.
    public static func checkRegistersParticipants(_ caller: Principal?) throws(MarketError) {
        guard let caller else { throw .unauthenticated("an admin's API key is required") }
        guard caller.isAdmin else { throw .forbidden("only admins register participants") }
    }

    // MARK: - The service itself

    /// Only the operator reads the service's metrics (`GET /metrics`): they show the load and
    /// the money moving, market-wide.
    public static func checkReadsMetrics(_ caller: Principal?) throws(MarketError) {
        guard let caller else { throw .unauthenticated("an admin's API key is required") }
        guard caller.isAdmin else { throw .forbidden("only admins read the metrics") }
    }

    // MARK: - Listings

    /// The institution a caller acts for, when it may hold listings at all.
    public static func listingHolder(_ caller: Principal?, action: String) throws(MarketError) -> PartyID {
        guard let caller else { throw .unauthenticated("an institution's API key is required to \(action)") }
        guard caller.role == .institution, let party = caller.partyID else {
            throw .forbidden("only institutions \(action); this key's role is \(caller.role.rawValue)")
        }
        return party
    }

    /// Published (and later) listings are public; drafts and withdrawn ones only their
    /// institution's and the operator's.
    public static func canSee(_ listing: Listing, _ caller: Principal?) -> Bool {
        listing.status.isPublic || caller?.isAdmin == true || caller.map { $0.actsFor(listing.institutionID) } == true
    }

    /// Only the holding institution changes its listing (one it can see; 404 otherwise).
    public static func checkChangesListing(_ listing: Listing, by institution: PartyID, _ caller: Principal?) throws(MarketError) {
        guard canSee(listing, caller) else { throw .notFound("no listing \(listing.id)") }
        guard listing.institutionID == institution else {
            throw .forbidden("only the holding institution may change listing \(listing.id)")
        }
    }

    /// The institution a search of non-public listings is limited to (nil: any, for the
    /// operator); public statuses are open to anyone and are not asked about.
    public static func privateListingScope(status: ListingStatus, institution: PartyID?, _ caller: Principal?) throws(MarketError) -> PartyID? {
        switch caller?.role {
        case .admin?:
            return institution
        case .institution?:
            guard let own = caller?.partyID, institution == nil || institution == own else {
                throw .forbidden("an institution sees only its own \(status.rawValue) listings")
            }
            return own
        case nil:
            throw .unauthenticated("\(status.rawValue) listings are shown only to their institution; send its API key")
        default:
            throw .forbidden("\(status.rawValue) listings are shown only to their institution")
        }
    }

    // MARK: - Voucher programs

    /// The region a caller runs voucher programs for: a regulator's own.
    public static func programIssuer(_ caller: Principal?) throws(MarketError) -> RegionCode {
        guard let caller else { throw .unauthenticated("a regulator's API key is required") }
        guard caller.role == .regulator, let region = caller.regionCode else {
            throw .forbidden("only regulators run voucher programs; this key's role is \(caller.role.rawValue)")
        }
        return region
    }

    /// A regulator issues from its own region's programs only.
    public static func checkRunsProgram(_ caller: Principal?, issuer: RegionCode) throws(MarketError) {
        let region = try programIssuer(caller)
        guard region == issuer else { throw .forbidden("a regulator acts only for its own region (\(region))") }
    }

    /// Regulators see their own region's programs; admins all; others none.
    public static func programVisibility(_ caller: Principal?) throws(MarketError) -> ProgramVisibility {
        guard let caller else { throw .unauthenticated("an API key is required") }
        if caller.isAdmin { return .all }
        guard caller.role == .regulator, let region = caller.regionCode else {
            throw .forbidden("voucher programs are shown to regulators and admins")
        }
        return .issuer(region)
    }

    public static func canSee(_ program: VoucherProgram, in visibility: ProgramVisibility) -> Bool {
        switch visibility {
        case .all: return true
        case .issuer(let region): return program.issuerRegion == region
        }
    }

    // MARK: - Vouchers

    /// Vouchers are shown to their firm, the issuing regulator and admins.
    public static func voucherVisibility(_ caller: Principal?) throws(MarketError) -> VoucherVisibility {
        guard let caller else { throw .unauthenticated("an API key is required") }
        switch (caller.role, caller.partyID, caller.regionCode) {
        case (.admin, _, _): return .all
        case (.firm, let firm?, _): return .holder(firm)
        case (.regulator, _, let region?): return .issuer(region)
        default: throw .forbidden("vouchers are shown to their firm, the issuing regulator and admins")
        }
    }

    public static func canSee(_ voucher: Voucher, in visibility: VoucherVisibility) -> Bool {
        switch visibility {
        case .all: return true
        case .holder(let firm): return voucher.firmID == firm
        case .issuer(let region): return voucher.issuerRegion == region
        }
    }

    /// Whether the caller may know the voucher exists (as `voucherVisibility` says).
    public static func canSee(_ voucher: Voucher, _ caller: Principal) -> Bool {
        guard let visibility = try? voucherVisibility(caller) else { return false }
        return canSee(voucher, in: visibility)
    }

    /// Only the holding firm redeems its voucher.
    public static func checkRedeems(_ voucher: Voucher, _ caller: Principal) throws(MarketError) {
        guard caller.role == .firm, caller.partyID == voucher.firmID else {
            throw .forbidden("only the firm holding voucher \(voucher.number) redeems it")
        }
    }

    // MARK: - Redemptions

    /// The firm, the provider, the issuing regulator and admins; an institution sees none.
    public static func redemptionVisibility(_ caller: Principal?) throws(MarketError) -> RedemptionVisibility {
        guard let caller else { throw .unauthenticated("an API key is required") }
        switch (caller.role, caller.partyID, caller.regionCode) {
        case (.admin, _, _): return .all
        case (.firm, let firm?, _): return .holder(firm)
        case (.provider, let provider?, _): return .provider(provider)
        case (.regulator, _, let region?): return .issuer(region)
        default: return .none
        }
    }

    public static func canSee(_ redemption: Redemption, _ caller: Principal) -> Bool {
        switch caller.role {
        case .admin: return true
        case .firm: return caller.partyID == redemption.firmID
        case .provider: return caller.partyID == redemption.providerID
        case .regulator: return caller.regionCode == redemption.issuerRegion
        case .institution: return false
        }
    }

    /// Only the redemption's provider claims it.
    public static func checkClaims(_ redemption: Redemption, _ caller: Principal) throws(MarketError) {
        guard caller.role == .provider, caller.partyID == redemption.providerID else {
            throw .forbidden("only the redemption's provider claims it")
        }
    }

    /// Only a regulator of the issuing region approves or rejects a claim.
    public static func checkDecides(_ redemption: Redemption, _ caller: Principal) throws(MarketError) {
        guard caller.role == .regulator, caller.regionCode == redemption.issuerRegion else {
            throw .forbidden("only a regulator of the issuing region \(redemption.issuerRegion) decides its claims")
        }
    }

    // MARK: - Settlement

    /// The issuing region a caller settles: a regulator its own; the operator, at the command
    /// line only, the region it names. An admin API key does not settle.
    public static func settlementIssuer(_ caller: Principal?, naming region: RegionCode?) throws(MarketError) -> RegionCode {
        guard let caller else { throw .unauthenticated("a regulator's API key is required") }
        if caller.isAdmin && caller.channel == .commandLine, let region { return region }
        guard caller.role == .regulator, let own = caller.regionCode else {
            throw .forbidden("a regulator settles its own region's claims (the operator uses `techmarket vouchers settle`)")
        }
        guard region == nil || region == own else { throw .forbidden("only a regulator of \(region ?? own) settles its claims") }
        return own
    }

    /// A settlement batch is shown to the issuing region's regulators and admins.
    public static func canSeeSettlement(of issuer: RegionCode, _ caller: Principal?) -> Bool {
        caller?.isAdmin == true || (caller?.role == .regulator && caller?.regionCode == issuer)
    }
}

// MARK: - Offers

extension AccessPolicy {
    /// Only firms make offers (an institution, on its own listing or another's, does not).
    public static func offerMaker(_ caller: Principal?) throws(MarketError) -> PartyID {
        guard let caller else { throw .unauthenticated("a firm's API key is required to make offers") }
        guard caller.role == .firm, let firm = caller.partyID else {
            throw .forbidden("only firms make offers; this key's role is \(caller.role.rawValue)")
        }
        return firm
    }

    /// An offer is shown to its firm, the listing's institution and admins; regulators see the
    /// contracts deals become, not the negotiations.
    public static func offerVisibility(_ caller: Principal?) throws(MarketError) -> OfferVisibility {
        guard let caller else { throw .unauthenticated("an API key is required") }
        switch (caller.role, caller.partyID) {
        case (.admin, _): return .all
        case (.firm, let firm?): return .firm(firm)
        case (.institution, let institution?): return .institution(institution)
        default: throw .forbidden("offers are shown to their firm, the listing's institution and admins")
        }
    }

    public static func canSee(_ offer: Offer, in visibility: OfferVisibility) -> Bool {
        switch visibility {
        case .all: return true
        case .firm(let firm): return offer.firmID == firm
        case .institution(let institution): return offer.institutionID == institution
        }
    }

    /// Which side of the offer the caller moves for: its firm or the listing's institution (an
    /// admin reads offers but makes no move).
    public static func offerSide(_ offer: Offer, _ caller: Principal?) throws(MarketError) -> OfferSide {
        guard let caller else { throw .unauthenticated("an API key is required") }
        if caller.role == .firm, caller.actsFor(offer.firmID) { return .firm }
        if caller.role == .institution, caller.actsFor(offer.institutionID) { return .institution }
        throw .forbidden("only the offering firm and the listing's institution move on an offer")
    }
}

// MARK: - Contracts

extension AccessPolicy {
    /// A participant sees the contracts it is a party to, a regulator those with a side in its
    /// region or below, an admin all.
    public static func contractVisibility(_ caller: Principal?) throws(MarketError) -> ContractVisibility {
        guard let caller else { throw .unauthenticated("an API key is required") }
        switch (caller.role, caller.partyID, caller.regionCode) {
        case (.admin, _, _): return .all
        case (.regulator, _, let region?): return .region(region)
        case (.institution, let party?, _), (.firm, let party?, _), (.provider, let party?, _): return .party(party)
        default: throw .forbidden("contracts are shown to their parties, their regions' regulators and admins")
        }
    }

    /// Whether a contract is in `visibility`, given each side's region with the regions above it.
    public static func canSee(
        _ contract: Contract, in visibility: ContractVisibility, sellerAncestry: [RegionCode], buyerAncestry: [RegionCode]
    ) -> Bool {
        switch visibility {
        case .all: return true
        case .party(let party): return contract.seller.partyID == party || contract.buyer.partyID == party
        case .region(let region): return sellerAncestry.contains(region) || buyerAncestry.contains(region)
        }
    }

    /// The region a caller registers for: a regulator of the seller's region or of a region
    /// above it (the seller side registers, DOMAIN.md). `sellerAncestry` is the seller's region
    /// and those above it.
    public static func registrationRegion(_ caller: Principal?, sellerAncestry: [RegionCode]) throws -> RegionCode {
        guard let caller else { throw MarketError.unauthenticated("a regulator's API key is required") }
        guard caller.role == .regulator, let region = caller.regionCode else {
            throw MarketError.forbidden("only regulators register contracts; this key's role is \(caller.role.rawValue)")
        }
        guard let seller = sellerAncestry.first else { preconditionFailure("an ancestry starts with the region itself") }
        guard sellerAncestry.contains(region) else { throw ContractRefusal.notSellerSideRegulator(regulatorRegion: region, sellerRegion: seller) }
        return region
    }

    /// A change is recorded by a party to the contract or by a regulator of the seller's side.
    public static func checkChangesContract(_ contract: Contract, _ caller: Principal?, sellerAncestry: [RegionCode]) throws {
        guard let caller else { throw MarketError.unauthenticated("an API key is required") }
        if let party = caller.partyID, caller.role != .regulator, contract.seller.partyID == party || contract.buyer.partyID == party { return }
        _ = try registrationRegion(caller, sellerAncestry: sellerAncestry)
    }

    /// The filter made concrete for the caller: `side` without `region` is the caller's own side
    /// (the participant, or the regulator's region); an admin names the region.
    public static func contractQuery(_ caller: Principal?, _ filter: ContractFilter) throws(MarketError) -> ContractQuery {
        let visibility = try contractVisibility(caller)
        var query = ContractQuery(visibility: visibility, filter: filter)
        switch (filter.side, filter.region, visibility) {
        case (nil, nil, _):
            break
        case (nil, let region?, _):
            query.eitherRegion = region
        case (.seller?, let region?, _):
            query.sellerRegion = region
        case (.buyer?, let region?, _):
            query.buyerRegion = region
        case (let side?, nil, .party(let party)):
            if side == .seller { query.sellerParty = party } else { query.buyerParty = party }
        case (let side?, nil, .region(let region)):
            if side == .seller { query.sellerRegion = region } else { query.buyerRegion = region }
        case (_?, nil, .all):
            throw .invalid([.rule("side", "needs region for an admin (whose side is it?)")])
        }
        return query
    }
}

// MARK: - Auctions

extension AccessPolicy {
    /// The operator (the licensed auctioneer) opens sessions and lots, records deposits and
    /// marks defaults; over the API with an admin's key, or at the command line.
    public static func checkRunsAuctions(_ caller: Principal?) throws(MarketError) {
        guard let caller else { throw .unauthenticated("an admin's API key is required") }
        guard caller.isAdmin else { throw .forbidden("only the operator runs auctions; this key's role is \(caller.role.rawValue)") }
    }

    /// Firms register for lots and bid for themselves.
    public static func auctionFirm(_ caller: Principal?) throws(MarketError) -> PartyID {
        guard let caller else { throw .unauthenticated("a firm's API key is required") }
        guard caller.role == .firm, let firm = caller.partyID else {
            throw .forbidden("only firms register and bid; this key's role is \(caller.role.rawValue)")
        }
        return firm
    }

    /// A firm bids for itself; the operator (the auctioneer) records a floor bid for a paddle,
    /// and only it names one.
    public static func auctionBidder(_ caller: Principal?, floorPaddle: Int?) throws(MarketError) -> AuctionBidder {
        guard let caller else { throw .unauthenticated("a firm's API key is required") }
        if caller.isAdmin {
            guard let paddle = floorPaddle else { throw .invalid([.rule("paddle", "the auctioneer's floor bid names the paddle it is for")]) }
            return .floor(paddle: paddle)
        }
        if floorPaddle != nil { throw .forbidden("only the auctioneer records a floor bid for a paddle") }
        return .firm(try auctionFirm(caller))
    }

    /// What a caller sees of a lot: the operator everything, the seller its reserve and buyer,
    /// a registered firm its own standing, anyone the public view.
    public static func lotViewer(_ lot: Lot, _ caller: Principal?, registration: LotRegistration?) -> LotViewer {
        guard let caller else { return .everyone }
        if caller.isAdmin { return .operatorView }
        if caller.role == .institution, caller.actsFor(lot.institutionID) { return .seller }
        if let registration, caller.actsFor(registration.firmID) { return .bidder(registration) }
        return .everyone
    }
}

// MARK: - Volume

extension AccessPolicy {
    /// The operator, or a regulator of the region or of a region above it, sets a region's
    /// volume target (the next plan's figures as they are published); the report is public.
    public static func checkSetsVolumeTarget(_ caller: Principal?, regionAncestry: [RegionCode]) throws(MarketError) {
        guard let caller else { throw .unauthenticated("a regulator's or an admin's API key is required") }
        if caller.isAdmin { return }
        guard caller.role == .regulator, let region = caller.regionCode else {
            throw .forbidden("only regulators and admins set volume targets; this key's role is \(caller.role.rawValue)")
        }
        guard regionAncestry.contains(region) else {
            throw .forbidden("a regulator of \(region) sets targets only for its region and the regions below it")
        }
    }
}
