import Foundation
import HTTPTypes
import Hummingbird
import Market

/// Voucher programs, vouchers, redemptions and settlements (docs/vouchers.md).
struct VouchersController<Store: VoucherStore & KeyStore> {
    let vouchers: VoucherService<Store>
    let auth: Authenticator<Store>
    let idempotent = IdempotentPost()

    init(store: Store) {
        vouchers = VoucherService(store: store)
        auth = Authenticator(keys: store)
    }

    var programEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post { request, context in
            let caller = try await auth.require(request)
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(ProgramBody.self, from: request, context: context)
            return try await idempotent.run(
                request, body: bytes, caller: caller, context: context, status: .created, locationPath: "/v1/voucher-programs",
                render: { ProgramReport(program: $0, voucherCount: 0, flows: []) }
            ) { record in
                try await vouchers.createProgram(body.terms, by: caller, record: record)
            }
        }
        routes.get { request, context in
            let caller = try await auth.require(request)
            var reader = QueryReader(request, known: ["limit", "cursor"])
            let page = reader.page(cursorPrefix: "g")
            try reader.finish()
            let found = try await vouchers.programs(for: caller, page: page.withOneMore)
            return try context.responseEncoder.encode(
                ListPage(found, page: page, cursorPrefix: "g", id: \.program.id.value, render: { $0 }), from: request, context: context)
        }
        routes.get(":id") { request, context in
            let caller = try await auth.require(request)
            return try context.responseEncoder.encode(
                try await vouchers.program(ProgramID(try request.id(context)), for: caller), from: request, context: context)
        }
        routes.post(":id/vouchers") { request, context in
            let caller = try await auth.require(request)
            let program = ProgramID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(IssueBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, status: .created, render: { $0 }) { (record: IdempotencyRecord<Voucher>) in
                let voucher = try await vouchers.issueVoucher(
                    program: program, firm: body.firmID, faceValueFen: body.faceValueFen, number: nil, by: caller, record: record)
                MarketMetrics.voucherIssued()
                return voucher
            }
        }
        return routes
    }

    var voucherEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { request, context in
            let caller = try await auth.require(request)
            var reader = QueryReader(request, known: ["limit", "cursor"])
            let page = reader.page(cursorPrefix: "v")
            try reader.finish()
            let found = try await vouchers.vouchers(for: caller, page: page.withOneMore)
            return try context.responseEncoder.encode(
                ListPage(found, page: page, cursorPrefix: "v", id: \.id.value, render: { $0 }), from: request, context: context)
        }
        routes.get(":number") { request, context in
            let caller = try await auth.require(request)
            let number = try context.parameters.require("number")
            return try context.responseEncoder.encode(try await vouchers.voucher(number: number, for: caller), from: request, context: context)
        }
        routes.post(":number/redemptions") { request, context in
            let caller = try await auth.require(request)
            let number = try context.parameters.require("number")
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(RedemptionBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, status: .created, render: { $0 }) { (record: IdempotencyRecord<Redemption>) in
                let redemption = try await vouchers.redeem(voucher: number, body.request, by: caller, record: record)
                MarketMetrics.redemption("held")
                return redemption
            }
        }
        return routes
    }

    var redemptionEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { request, context in
            let caller = try await auth.require(request)
            var reader = QueryReader(request, known: ["status", "limit", "cursor"])
            let status = reader.value("status", "one of \(Redemption.Status.allCases.map(\.rawValue).joined(separator: ", "))", Redemption.Status.init(rawValue:))
            let page = reader.page(cursorPrefix: "r")
            try reader.finish()
            let found = try await vouchers.redemptions(for: caller, status: status, page: page.withOneMore)
            return try context.responseEncoder.encode(
                ListPage(found, page: page, cursorPrefix: "r", id: \.id.value, render: { $0 }), from: request, context: context)
        }
        routes.get(":id") { request, context in
            let caller = try await auth.require(request)
            return try context.responseEncoder.encode(
                try await vouchers.redemption(RedemptionID(try request.id(context)), for: caller), from: request, context: context)
        }
        routes.post(":id/claim") { request, context in
            let caller = try await auth.require(request)
            let id = RedemptionID(try request.id(context))
            let body = try await RequestBody.decode(ClaimBody.self, from: request, context: context)
            let claimed = try await vouchers.claim(id, evidence: body.evidence, by: caller)
            MarketMetrics.redemption("claimed")
            return try context.responseEncoder.encode(claimed, from: request, context: context)
        }
        routes.post(":id/approve") { request, context in
            let caller = try await auth.require(request)
            let id = RedemptionID(try request.id(context))
            try await RequestBody.requireEmptyObject(request, context: context)
            return try await idempotent.run(request, body: [], caller: caller, context: context, render: { $0 }) { (record: IdempotencyRecord<Redemption>) in
                let approved = try await vouchers.decide(id, approve: true, reason: nil, by: caller, record: record)
                MarketMetrics.redemption("approved")
                return approved
            }
        }
        routes.post(":id/reject") { request, context in
            let caller = try await auth.require(request)
            let id = RedemptionID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(RejectBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, render: { $0 }) { (record: IdempotencyRecord<Redemption>) in
                let rejected = try await vouchers.decide(id, approve: false, reason: body.reason, by: caller, record: record)
                MarketMetrics.redemption("rejected")
                return rejected
            }
        }
        return routes
    }

    var settlementEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post { request, context in
            let caller = try await auth.require(request)
            _ = try AccessPolicy.settlementIssuer(caller, naming: nil)
            try await RequestBody.requireEmptyObject(request, context: context)
            return try await idempotent.run(request, body: [], caller: caller, context: context, render: SettlementResult.init) { (record: IdempotencyRecord<SettlementBatch?>) in
                let batch = try await vouchers.settle(issuer: nil, by: caller, record: record)
                if batch != nil { MarketMetrics.settlementPaid() }
                return batch
            }
        }
        routes.get(":id") { request, context in
            let caller = try await auth.require(request)
            let batch = try await vouchers.settlement(SettlementID(try request.id(context)), for: caller)
            if request.headers[.accept]?.contains("text/csv") == true {
                return Response(
                    status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: batch.csv)))
            }
            return try context.responseEncoder.encode(SettlementJSON(batch), from: request, context: context)
        }
        return routes
    }
}

// MARK: - Bodies

struct ProgramBody: Decodable {
    var terms: ProgramTerms

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(
            decoder, allowed: ["year", "name", "budgetFen", "shareBasisPoints", "firmCapFen", "groupCapFen", "useBy", "claimBy", "honours"])
        let year: Int? = reader.required("year", "a year such as 2026")
        let name: String? = reader.required("name", "a string")
        let budget: Int64? = reader.required("budgetFen", "an integer number of fen")
        let share: Int?? = reader.optional("shareBasisPoints", "an integer from 1 to \(ProgramTerms.basisPointsWhole)")
        let firmCap: Int64?? = reader.optional("firmCapFen", "an integer number of fen")
        let groupCap: Int64?? = reader.optional("groupCapFen", "an integer number of fen")
        let useBy: Day? = reader.required("useBy", "a date such as 2027-12-31")
        let claimBy: Day? = reader.required("claimBy", "a date such as 2028-03-31")
        let honours: Honours? = reader.required("honours", #"{"kind": "own"}, {"kind": "alliance", "alliance": "g60"} or {"kind": "list", "regions": [...]}"#)
        try reader.finish()
        terms = ProgramTerms(
            year: try reader.take(year, "year"), name: try reader.take(name, "name"), budgetFen: try reader.take(budget, "budgetFen"),
            shareBasisPoints: (share ?? nil) ?? ProgramTerms.shareDefault,
            firmCapFen: (firmCap ?? nil) ?? ProgramTerms.firmCapDefault, groupCapFen: (groupCap ?? nil) ?? ProgramTerms.groupCapDefault,
            useBy: try reader.take(useBy, "useBy"), claimBy: try reader.take(claimBy, "claimBy"), honours: try reader.take(honours, "honours"))
    }
}

struct IssueBody: Decodable {
    var firmID: PartyID
    var faceValueFen: Int64

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["firmId", "faceValueFen"])
        let firm: Int64? = reader.required("firmId", "the firm's participant id")
        let face: Int64? = reader.required("faceValueFen", "an integer number of fen")
        try reader.finish()
        firmID = PartyID(try reader.take(firm, "firmId"))
        faceValueFen = try reader.take(face, "faceValueFen")
    }
}

struct RedemptionBody: Decodable {
    var request: RedemptionRequest

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(
            decoder, allowed: ["providerId", "contractReference", "contractAmountFen", "voucherAmountFen", "ownPaymentFen"])
        let provider: Int64? = reader.required("providerId", "the provider's participant id")
        let contract: String? = reader.required("contractReference", "the service contract's reference")
        let contractAmount: Int64? = reader.required("contractAmountFen", "an integer number of fen")
        let voucherAmount: Int64? = reader.required("voucherAmountFen", "an integer number of fen")
        let own: Int64? = reader.required("ownPaymentFen", "an integer number of fen")
        try reader.finish()
        request = RedemptionRequest(
            providerID: PartyID(try reader.take(provider, "providerId")), contractReference: try reader.take(contract, "contractReference"),
            contractAmountFen: try reader.take(contractAmount, "contractAmountFen"),
            voucherAmountFen: try reader.take(voucherAmount, "voucherAmountFen"), ownPaymentFen: try reader.take(own, "ownPaymentFen"))
    }
}

struct ClaimBody: Decodable {
    var evidence: [String]

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["evidence"])
        let evidence: [String]? = reader.required("evidence", "an array of 1 to \(VoucherRules.evidenceCountMax) references (invoices, reports)")
        try reader.finish()
        self.evidence = try reader.take(evidence, "evidence")
    }
}

struct RejectBody: Decodable, MultilineFields {
    static let multilineFields: Set<String> = ["reason"]
    var reason: String

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["reason"])
        let reason: String? = reader.required("reason", "why the claim is rejected")
        try reader.finish()
        self.reason = try reader.take(reason, "reason")
    }
}

extension RequestBody {
    /// Decodes a body and keeps its bytes, for the Idempotency-Key's fingerprint.
    static func decodeKeepingBytes<T: Decodable>(_ type: T.Type, from request: Request, context: AppRequestContext) async throws -> (T, [UInt8]) {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return (try await decode(T.self, from: request, context: context), Array(buffer.readableBytesView))
    }

    /// Refuses a body that is neither empty nor `{}` (both fingerprint as no body at all).
    static func requireEmptyObject(_ request: Request, context: AppRequestContext) async throws {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let text = String(buffer: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.isEmpty || text == "{}" else {
            throw MarketError.invalid([FieldIssue("body", "must be empty or {}")])
        }
    }
}

// MARK: - Responses

struct SettlementJSON: Encodable, Sendable {
    struct Region: Encodable, Sendable {
        var providerRegion: RegionCode
        var totalFen: Int64
        var providers: [Provider]
    }

    struct Provider: Encodable, Sendable {
        var providerId: PartyID
        var providerName: String
        var totalFen: Int64
        var redemptions: [Line]
    }

    struct Line: Encodable, Sendable {
        var redemptionId: RedemptionID
        var voucherNumber: String
        var contractReference: String
        var amountFen: Int64
    }

    var id: SettlementID
    var issuerRegion: RegionCode
    var createdAt: Date
    var totalFen: Int64
    var regions: [Region]

    init(_ batch: SettlementBatch) {
        id = batch.id
        issuerRegion = batch.issuerRegion
        createdAt = batch.createdAt
        totalFen = batch.totalFen
        var regions: [Region] = []
        for line in batch.lines {
            if regions.last?.providerRegion != line.providerRegion {
                regions.append(Region(providerRegion: line.providerRegion, totalFen: 0, providers: []))
            }
            if regions[regions.count - 1].providers.last?.providerId != line.providerID {
                regions[regions.count - 1].providers.append(Provider(providerId: line.providerID, providerName: line.providerName, totalFen: 0, redemptions: []))
            }
            let last = regions[regions.count - 1].providers.count - 1
            regions[regions.count - 1].totalFen += line.amountFen
            regions[regions.count - 1].providers[last].totalFen += line.amountFen
            regions[regions.count - 1].providers[last].redemptions.append(
                Line(redemptionId: line.redemptionID, voucherNumber: line.voucherNumber, contractReference: line.contractReference, amountFen: line.amountFen))
        }
        self.regions = regions
    }
}

/// `POST /v1/settlements`: the new batch, or null when nothing was due.
struct SettlementResult: Encodable, Sendable {
    var batch: SettlementJSON?

    init(_ batch: SettlementBatch?) { self.batch = batch.map(SettlementJSON.init) }

    enum CodingKeys: String, CodingKey { case batch }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(batch, forKey: .batch)
    }
}
