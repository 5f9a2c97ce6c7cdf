import Foundation
import Market
import Testing

/// Every role × every action of `AccessPolicy`, with no database: who may see and do what, as a
/// table. "ok" is allowed; otherwise the refusal's code (404s are "not_found": the caller may not
/// know the thing exists).
@Suite struct AccessPolicyTests {
    static let deqing = RegionCode("330521")!
    static let songjiang = RegionCode("310117")!
    static let institute = PartyID(1), otherInstitute = PartyID(2), firm = PartyID(3), otherFirm = PartyID(4)
    static let lab = PartyID(5), otherLab = PartyID(6), bureau = PartyID(7), otherBureau = PartyID(8)

    /// Every kind of caller, by name; nil is no key at all.
    static let callers: [(String, Principal?)] = [
        ("anonymous", nil),
        ("institution", Principal(keyID: 1, role: .institution, partyID: institute, regionCode: deqing)),
        ("other institution", Principal(keyID: 2, role: .institution, partyID: otherInstitute, regionCode: deqing)),
        ("firm", Principal(keyID: 3, role: .firm, partyID: firm, regionCode: deqing)),
        ("other firm", Principal(keyID: 4, role: .firm, partyID: otherFirm, regionCode: deqing)),
        ("provider", Principal(keyID: 5, role: .provider, partyID: lab, regionCode: songjiang)),
        ("other provider", Principal(keyID: 6, role: .provider, partyID: otherLab, regionCode: songjiang)),
        ("regulator", Principal(keyID: 7, role: .regulator, partyID: bureau, regionCode: deqing)),
        ("other region's regulator", Principal(keyID: 8, role: .regulator, partyID: otherBureau, regionCode: songjiang)),
        ("admin", Principal(keyID: 9, role: .admin, partyID: nil, regionCode: nil)),
        ("operator at the command line", .commandLineOperator),
    ]

    static let day = Day("2026-12-31")!
    static let voucher = Voucher(
        id: VoucherID(10), number: "330521-2026-000001", programID: ProgramID(1), issuerRegion: deqing, firmID: firm,
        faceValueFen: 100, remainingFen: 100, heldFen: 0, useBy: day, claimBy: day, issuedAt: Date(timeIntervalSince1970: 0))
    static let program = VoucherProgram(
        id: ProgramID(1), issuerRegion: deqing,
        terms: ProgramTerms(year: 2026, name: "德清县创新券", budgetFen: 100, useBy: day, claimBy: day, honours: .own), issuedFen: 0,
        remainingFen: 100, createdAt: Date(timeIntervalSince1970: 0))
    static let redemption = Redemption(
        id: RedemptionID(20), voucherNumber: voucher.number, voucherID: voucher.id, firmID: firm, providerID: lab, providerRegion: songjiang,
        issuerRegion: deqing,
        request: RedemptionRequest(providerID: lab, contractReference: "C-1", contractAmountFen: 100, voucherAmountFen: 50, ownPaymentFen: 50),
        status: .claimed, evidence: [], reason: nil, settlementID: nil, createdAt: Date(timeIntervalSince1970: 0),
        updatedAt: Date(timeIntervalSince1970: 0))
    static let offer = Offer(
        id: OfferID(40), listingID: ListingID(30), institutionID: institute, mode: .assignment, firmID: firm, priceFen: 50, terms: "",
        validUntil: Date(timeIntervalSince1970: 0), status: .open, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    static func listing(_ status: ListingStatus) -> Listing {
        Listing(
            id: ListingID(30), institutionID: institute, institutionName: "中科卫星应用德清研究院", regionCode: deqing, status: status, version: 1,
            content: ListingContent(title: "遥感", summary: "摘要", fieldCode: "other", trl: 5, transferModes: [.assignment], askingPriceFen: 100),
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), publishedAt: nil)
    }

    static let ancestry = [deqing, RegionCode("330500")!, RegionCode("330000")!]
    static let songjiangAncestry = [songjiang, RegionCode("310000")!]
    /// A Deqing institute sells to a Deqing firm; `toSongjiang` sells to the other firm, in Songjiang.
    static func contract(toSongjiang: Bool = false) -> Contract {
        Contract(
            id: ContractID(40), type: .licence, status: .signed,
            seller: ContractParty(partyID: institute, name: "中科卫星应用德清研究院", creditCode: nil, regionCode: deqing),
            buyer: ContractParty(partyID: toSongjiang ? otherFirm : firm, name: "买方", creditCode: nil, regionCode: toSongjiang ? songjiang : deqing),
            fieldCode: "other", terms: ContractTerms(title: "许可", totalFen: 100, costLines: []), signedOn: day, source: .offer(1),
            listingID: ListingID(30), subject: nil, registration: nil, registeredTechnologyFen: 0, version: 1,
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    }

    /// The contract's visibility check, as ContractService makes it.
    static func seeContract(_ contract: Contract, _ caller: Principal?) throws {
        let visibility = try AccessPolicy.contractVisibility(caller)
        let buyerAncestry = contract.buyer.regionCode == songjiang ? songjiangAncestry : ancestry
        if !AccessPolicy.canSee(contract, in: visibility, sellerAncestry: ancestry, buyerAncestry: buyerAncestry) { throw MarketError.notFound("") }
    }

    /// "ok" or the refusal's code.
    static func outcome(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "ok"
        } catch let refusal as any Refusal {
            return refusal.code
        } catch {
            return "\(error)"
        }
    }

    static func seen(_ visible: Bool) -> String { visible ? "ok" : "not_found" }

    /// One action's expected outcome for each caller, in `callers`' order.
    struct Row: Sendable {
        var action: String
        var expected: [String]
        var decide: @Sendable (Principal?) -> String
    }

    static let rows: [Row] = [
        Row(action: "register participants", expected: ["unauthenticated"] + Array(repeating: "forbidden", count: 8) + ["ok", "ok"]) { caller in
            outcome { try AccessPolicy.checkRegistersParticipants(caller) }
        },
        Row(action: "read the metrics", expected: ["unauthenticated"] + Array(repeating: "forbidden", count: 8) + ["ok", "ok"]) { caller in
            outcome { try AccessPolicy.checkReadsMetrics(caller) }
        },
        Row(action: "see a draft listing", expected: ["not_found", "ok"] + Array(repeating: "not_found", count: 7) + ["ok", "ok"]) { caller in
            seen(AccessPolicy.canSee(listing(.draft), caller))
        },
        Row(action: "see a published listing", expected: Array(repeating: "ok", count: 11)) { caller in
            seen(AccessPolicy.canSee(listing(.published), caller))
        },
        Row(
            action: "change a listing",
            expected: ["unauthenticated", "ok", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden",
                       "forbidden"]
        ) { caller in
            outcome {
                let holder = try AccessPolicy.listingHolder(caller, action: "edit listings")
                try AccessPolicy.checkChangesListing(listing(.published), by: holder, caller)
            }
        },
        Row(
            action: "search drafts",
            expected: ["unauthenticated", "ok", "ok", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok"]
        ) { caller in
            outcome { _ = try AccessPolicy.privateListingScope(status: .draft, institution: nil, caller) }
        },
        Row(
            action: "search another institution's drafts",
            expected: ["unauthenticated", "ok", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok"]
        ) { caller in
            outcome { _ = try AccessPolicy.privateListingScope(status: .draft, institution: institute, caller) }
        },
        Row(
            action: "run a Deqing program",
            expected: ["unauthenticated", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "forbidden", "forbidden",
                       "forbidden"]
        ) { caller in
            outcome { try AccessPolicy.checkRunsProgram(caller, issuer: deqing) }
        },
        Row(
            action: "see a Deqing program",
            expected: ["unauthenticated", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok", "ok"]
        ) { caller in
            outcome {
                let visibility = try AccessPolicy.programVisibility(caller)
                if !AccessPolicy.canSee(program, in: visibility) { throw MarketError.notFound("") }
            }
        },
        Row(
            action: "see the firm's voucher",
            expected: ["unauthenticated", "forbidden", "forbidden", "ok", "not_found", "forbidden", "forbidden", "ok", "not_found", "ok", "ok"]
        ) { caller in
            outcome {
                let visibility = try AccessPolicy.voucherVisibility(caller)
                if !AccessPolicy.canSee(voucher, in: visibility) { throw MarketError.notFound("") }
            }
        },
        Row(
            action: "redeem the firm's voucher",
            expected: ["unauthenticated", "not_found", "not_found", "ok", "not_found", "not_found", "not_found", "forbidden", "not_found", "forbidden",
                       "forbidden"]
        ) { caller in
            outcome {
                guard let caller else { throw MarketError.unauthenticated("") }
                guard AccessPolicy.canSee(voucher, caller) else { throw MarketError.notFound("") }
                try AccessPolicy.checkRedeems(voucher, caller)
            }
        },
        Row(
            action: "see the redemption",
            expected: ["unauthenticated", "not_found", "not_found", "ok", "not_found", "ok", "not_found", "ok", "not_found", "ok", "ok"]
        ) { caller in
            outcome {
                guard let caller else { throw MarketError.unauthenticated("") }
                if !AccessPolicy.canSee(redemption, caller) { throw MarketError.notFound("") }
            }
        },
        Row(
            action: "claim the redemption",
            expected: ["unauthenticated", "not_found", "not_found", "forbidden", "not_found", "ok", "not_found", "forbidden", "not_found", "forbidden",
                       "forbidden"]
        ) { caller in
            outcome {
                guard let caller else { throw MarketError.unauthenticated("") }
                guard AccessPolicy.canSee(redemption, caller) else { throw MarketError.notFound("") }
                try AccessPolicy.checkClaims(redemption, caller)
            }
        },
        Row(
            action: "decide the claim",
            expected: ["unauthenticated", "not_found", "not_found", "forbidden", "not_found", "forbidden", "not_found", "ok", "not_found", "forbidden",
                       "forbidden"]
        ) { caller in
            outcome {
                guard let caller else { throw MarketError.unauthenticated("") }
                guard AccessPolicy.canSee(redemption, caller) else { throw MarketError.notFound("") }
                try AccessPolicy.checkDecides(redemption, caller)
            }
        },
        Row(
            action: "settle Deqing's claims",
            expected: ["unauthenticated", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "forbidden", "forbidden",
                       "ok"]
        ) { caller in
            outcome {
                let issuer = try AccessPolicy.settlementIssuer(caller, naming: deqing)
                #expect(issuer == deqing)
            }
        },
        Row(
            action: "see a Deqing settlement",
            expected: ["not_found", "not_found", "not_found", "not_found", "not_found", "not_found", "not_found", "ok", "not_found", "ok", "ok"]
        ) { caller in
            seen(AccessPolicy.canSeeSettlement(of: deqing, caller))
        },
        Row(
            action: "see a Deqing contract",
            expected: ["unauthenticated", "ok", "not_found", "ok", "not_found", "not_found", "not_found", "ok", "not_found", "ok", "ok"]
        ) { caller in
            outcome { try seeContract(contract(), caller) }
        },
        Row(
            action: "register a Deqing contract",
            expected: ["unauthenticated", "forbidden", "not_found", "forbidden", "not_found", "not_found", "not_found", "ok", "not_found", "forbidden",
                       "forbidden"]
        ) { caller in
            outcome {
                try seeContract(contract(), caller)
                #expect(try AccessPolicy.registrationRegion(caller, sellerAncestry: ancestry) == deqing)
            }
        },
        Row(
            action: "register a contract sold from Deqing to Songjiang",
            expected: ["unauthenticated", "forbidden", "not_found", "not_found", "forbidden", "not_found", "not_found", "ok", "not_seller_side_regulator",
                       "forbidden", "forbidden"]
        ) { caller in
            outcome {
                try seeContract(contract(toSongjiang: true), caller)
                _ = try AccessPolicy.registrationRegion(caller, sellerAncestry: ancestry)
            }
        },
        Row(
            action: "change a Deqing contract",
            expected: ["unauthenticated", "ok", "not_found", "ok", "not_found", "not_found", "not_found", "ok", "not_found", "forbidden", "forbidden"]
        ) { caller in
            outcome {
                try seeContract(contract(), caller)
                try AccessPolicy.checkChangesContract(contract(), caller, sellerAncestry: ancestry)
            }
        },
        Row(
            action: "make an offer",
            expected: ["unauthenticated", "forbidden", "forbidden", "ok", "ok", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden",
                       "forbidden"]
        ) { caller in
            outcome { _ = try AccessPolicy.offerMaker(caller) }
        },
        Row(
            action: "see the firm's offer on the institute's listing",
            expected: ["unauthenticated", "ok", "not_found", "ok", "not_found", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok"]
        ) { caller in
            outcome {
                let visibility = try AccessPolicy.offerVisibility(caller)
                if !AccessPolicy.canSee(offer, in: visibility) { throw MarketError.notFound("") }
            }
        },
        Row(
            action: "move on the firm's offer",
            expected: ["unauthenticated", "ok", "forbidden", "ok", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden",
                       "forbidden"]
        ) { caller in
            outcome { _ = try AccessPolicy.offerSide(offer, caller) }
        },
        Row(action: "run auctions (sessions, lots, deposits, defaults)", expected: ["unauthenticated"] + Array(repeating: "forbidden", count: 8) + ["ok", "ok"]) { caller in
            outcome { try AccessPolicy.checkRunsAuctions(caller) }
        },
        Row(
            action: "register for a lot and bid for oneself",
            expected: ["unauthenticated", "forbidden", "forbidden", "ok", "ok", "forbidden", "forbidden", "forbidden", "forbidden", "invalid_parameter",
                       "invalid_parameter"]
        ) { caller in
            outcome { _ = try AccessPolicy.auctionBidder(caller, floorPaddle: nil) }
        },
        Row(
            action: "record a floor bid for a paddle",
            expected: ["unauthenticated"] + Array(repeating: "forbidden", count: 8) + ["ok", "ok"]
        ) { caller in
            outcome { _ = try AccessPolicy.auctionBidder(caller, floorPaddle: 1) }
        },
        Row(
            action: "see a lot's reserve",
            expected: ["not_found", "ok", "not_found", "not_found", "not_found", "not_found", "not_found", "not_found", "not_found", "ok", "ok"]
        ) { caller in
            seen(AccessPolicy.lotViewer(auctionLot, caller, registration: nil).seesReserve)
        },
    ]

    static let auctionLot = Lot(
        id: LotID(5), sessionID: SessionID(1), institutionID: institute,
        terms: LotTerms(
            listingID: ListingID(30), format: .english, openingPriceFen: 100, reserveFen: 200, incrementFen: 10, startsAt: Date(timeIntervalSince1970: 0),
            endsAt: Date(timeIntervalSince1970: 3_600)),
        depositFen: 10, status: .consented, endsAt: Date(timeIntervalSince1970: 3_600), createdAt: Date(timeIntervalSince1970: 0))

    @Test func everyRoleAndActionIsAsTheTableSays() {
        for row in Self.rows {
            #expect(row.expected.count == Self.callers.count, "\(row.action): one outcome per caller")
            for ((name, caller), expected) in zip(Self.callers, row.expected) {
                #expect(row.decide(caller) == expected, "\(name) → \(row.action)")
            }
        }
    }

    /// Lists get a visibility value, never a refusal, for every party that may see some of them.
    @Test func listVisibilitiesNameTheCallersOwnScope() throws {
        let callers = Dictionary(uniqueKeysWithValues: Self.callers.compactMap { name, caller in caller.map { (name, $0) } })
        #expect(try AccessPolicy.redemptionVisibility(callers["firm"]) == .holder(Self.firm))
        #expect(try AccessPolicy.redemptionVisibility(callers["provider"]) == .provider(Self.lab))
        #expect(try AccessPolicy.redemptionVisibility(callers["regulator"]) == .issuer(Self.deqing))
        #expect(try AccessPolicy.redemptionVisibility(callers["institution"]) == RedemptionVisibility.none)
        #expect(try AccessPolicy.redemptionVisibility(callers["admin"]) == .all)
        #expect(try AccessPolicy.voucherVisibility(callers["other region's regulator"]) == .issuer(Self.songjiang))
        #expect(try AccessPolicy.programVisibility(callers["regulator"]) == .issuer(Self.deqing))
        #expect(throws: MarketError.self) { try AccessPolicy.redemptionVisibility(nil) }
        // A regulator may name only its own region; the operator names the region it settles.
        #expect(throws: MarketError.self) { try AccessPolicy.settlementIssuer(callers["regulator"], naming: Self.songjiang) }
        #expect(try AccessPolicy.settlementIssuer(callers["regulator"], naming: nil) == Self.deqing)
        #expect(throws: MarketError.self) { try AccessPolicy.settlementIssuer(.commandLineOperator, naming: nil) }
        // Contracts: `side` alone is the caller's own side; an admin names the region.
        #expect(try AccessPolicy.contractVisibility(callers["provider"]) == .party(Self.lab))
        #expect(try AccessPolicy.contractQuery(callers["firm"], ContractFilter(side: .buyer)).buyerParty == Self.firm)
        #expect(try AccessPolicy.contractQuery(callers["regulator"], ContractFilter(side: .seller)).sellerRegion == Self.deqing)
        #expect(try AccessPolicy.contractQuery(callers["admin"], ContractFilter(side: .seller, region: Self.songjiang)).sellerRegion == Self.songjiang)
        #expect(try AccessPolicy.contractQuery(callers["admin"], ContractFilter(region: Self.songjiang)).eitherRegion == Self.songjiang)
        #expect(throws: MarketError.self) { try AccessPolicy.contractQuery(callers["admin"], ContractFilter(side: .seller)) }
        #expect(throws: MarketError.self) { try AccessPolicy.contractQuery(nil, ContractFilter()) }
    }
}

/// Which keys may be issued, with no database.
@Suite struct APIKeyRulesTests {
    static let key = "tmk_" + String(repeating: "a", count: 32)

    static func fields(role: Role, partyID: PartyID?, holder: (kind: PartyKind?, handle: String)?, key: String = key, label: String = "") -> [String] {
        do {
            try APIKeyRules.check(key: key, role: role, partyID: partyID, holder: holder, label: label)
            return []
        } catch {
            return error.fieldIssues.map(\.field)
        }
    }

    @Test func aKeyHasItsHoldersRoleAndAnAdminKeyHasNoHolder() {
        #expect(Self.fields(role: .admin, partyID: nil, holder: nil) == [])
        #expect(Self.fields(role: .admin, partyID: PartyID(1), holder: (.firm, "f")) == ["party"])
        #expect(Self.fields(role: .firm, partyID: nil, holder: nil) == ["party"])
        #expect(Self.fields(role: .firm, partyID: PartyID(1), holder: nil) == ["party"])
        #expect(Self.fields(role: .firm, partyID: PartyID(1), holder: (.firm, "f")) == [])
        #expect(Self.fields(role: .institution, partyID: PartyID(1), holder: (.firm, "f")) == ["role"])
        #expect(Self.fields(role: .firm, partyID: PartyID(1), holder: (.firm, "f"), key: "tmk_short") == ["key"])
        #expect(Self.fields(role: .firm, partyID: PartyID(1), holder: (.firm, "f"), label: String(repeating: "标", count: 101)) == ["label"])
    }
}
