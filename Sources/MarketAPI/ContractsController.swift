import Foundation
import HTTPTypes
import Hummingbird
import Market

/// Technology contracts and their registration (认定登记, docs/contracts.md).
struct ContractsController<Store: ContractStore & KeyStore> {
    let contracts: ContractService<Store>
    let auth: Authenticator<Store>
    let idempotent = IdempotentPost()

    init(store: Store) {
        contracts = ContractService(store: store)
        auth = Authenticator(keys: store)
    }

    static var queryParameters: [String] { ["status", "type", "field", "year", "side", "region", "limit", "cursor"] }

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get { request, context in
            let caller = try await auth.require(request)
            var reader = QueryReader(request, known: Self.queryParameters)
            func oneOf<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) -> T? where T.RawValue == String {
                reader.value(key, "one of \(T.allCases.map(\.rawValue).joined(separator: ", "))", T.init(rawValue:))
            }
            let filter = ContractFilter(
                status: oneOf("status", ContractStatus.self), type: oneOf("type", ContractType.self),
                fieldCode: reader.value("field", "a field code (see /v1/fields)") { text in
                    text.utf8.count <= 40 && !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F } ? text : nil
                },
                year: reader.integer("year", in: 2000...2200).map(Int.init), side: oneOf("side", ContractSide.self),
                region: reader.value("region", "a six-digit region code (GB/T 2260)", RegionCode.init))
            let page = reader.page(cursorPrefix: "c")
            try reader.finish()
            let found = try await contracts.contracts(for: caller, filter, page: page.withOneMore)
            return try context.responseEncoder.encode(
                ListPage(found, page: page, cursorPrefix: "c", id: \.id.value, render: { $0 }), from: request, context: context)
        }
        routes.post { request, context in
            let caller = try await auth.require(request)
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(DirectContractBody.self, from: request, context: context)
            return try await idempotent.run(
                request, body: bytes, caller: caller, context: context, status: .created, locationPath: "/v1/contracts", render: { $0 }
            ) { (record: IdempotencyRecord<ContractHistory>) in
                let contract = try await contracts.registerDirectly(body.draft, by: caller, record: record)
                MarketMetrics.contractRegistered()
                return contract
            }
        }
        routes.get(":id") { request, context in
            let caller = try await auth.require(request)
            return try context.responseEncoder.encode(
                try await contracts.contract(ContractID(try request.id(context)), for: caller), from: request, context: context)
        }
        routes.post(":id/registration") { request, context in
            let caller = try await auth.require(request)
            let id = ContractID(try request.id(context))
            let (body, bytes) = try await Self.optionalBody(RegistrationBody.self, request, context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, render: { $0 }) { (record: IdempotencyRecord<ContractHistory>) in
                let contract = try await contracts.register(id, declaredCosts: body?.costLines, by: caller, record: record)
                MarketMetrics.contractRegistered()
                return contract
            }
        }
        routes.post(":id/changes") { request, context in
            let caller = try await auth.require(request)
            let id = ContractID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(ChangeBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, render: { $0 }) { record in
                try await contracts.change(id, body.change, by: caller, record: record)
            }
        }
        routes.post(":id/termination") { request, context in
            let caller = try await auth.require(request)
            let id = ContractID(try request.id(context))
            let (body, bytes) = try await RequestBody.decodeKeepingBytes(TerminationBody.self, from: request, context: context)
            return try await idempotent.run(request, body: bytes, caller: caller, context: context, render: { $0 }) { record in
                try await contracts.terminate(id, reason: body.reason, by: caller, record: record)
            }
        }
        return routes
    }

    /// A body that may be left out (empty, or `{}`); nil then.
    static func optionalBody<T: Decodable>(_ type: T.Type, _ request: Request, _ context: AppRequestContext) async throws -> (T?, [UInt8]) {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let text = String(buffer: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty || text == "{}" { return (nil, []) }
        let (body, bytes) = try await RequestBody.decodeKeepingBytes(T.self, from: request, context: context)
        return (body, bytes)
    }
}

// MARK: - Bodies

extension CostLine {
    static let expected = "an array of {kind: equipment|instruments|parts|raw_materials, amountFen, note?}"
}

/// One declared cost line, read strictly.
struct CostLineBody: Decodable {
    var line: CostLine

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["kind", "amountFen", "note"], path: RequestDecoding.path(decoder.codingPath))
        let kind: CostLine.Kind? = reader.required("kind", "one of equipment, instruments, parts, raw_materials")
        let amount: Int64? = reader.required("amountFen", "an integer number of fen")
        let note: String?? = reader.optional("note", "a string")
        try reader.finish()
        line = CostLine(kind: try reader.take(kind, "kind"), amountFen: try reader.take(amount, "amountFen"), note: note ?? nil)
    }
}

/// A party as a direct registration names it.
struct ContractPartyBody: Decodable {
    var party: ContractParty

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(
            decoder, allowed: ["partyId", "name", "creditCode", "regionCode"], path: RequestDecoding.path(decoder.codingPath))
        let id: Int64?? = reader.optional("partyId", "the participant's id, when the party is one")
        let name: String? = reader.required("name", "the legal entity's name")
        let code: String? = reader.required("creditCode", "its unified social credit code (18 characters)")
        let region: RegionCode? = reader.required("regionCode", "a six-digit region code (GB/T 2260)")
        try reader.finish()
        party = ContractParty(
            partyID: (id ?? nil).map(PartyID.init), name: try reader.take(name, "name"), creditCode: try reader.take(code, "creditCode"),
            regionCode: try reader.take(region, "regionCode"))
    }
}

struct DirectContractBody: Decodable {
    var draft: ContractDraft

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(
            decoder, allowed: ["type", "title", "seller", "buyer", "field", "totalFen", "nonTechnicalCosts", "signedOn", "subject"])
        let type: ContractType? = reader.required("type", "one of \(ContractType.allCases.map(\.rawValue).joined(separator: ", "))")
        let title: String? = reader.required("title", "a string")
        let seller: ContractPartyBody? = reader.required("seller", "an object {partyId?, name, creditCode, regionCode}")
        let buyer: ContractPartyBody? = reader.required("buyer", "an object {partyId?, name, creditCode, regionCode}")
        let field: String? = reader.required("field", "a field code (see /v1/fields)")
        let total: Int64? = reader.required("totalFen", "an integer number of fen")
        let costs: [CostLineBody]?? = reader.optional("nonTechnicalCosts", CostLine.expected)
        let signedOn: Day? = reader.required("signedOn", "a date such as 2026-11-30")
        let subject: String?? = reader.optional("subject", "a string")
        try reader.finish()
        draft = ContractDraft(
            type: try reader.take(type, "type"), title: try reader.take(title, "title"), seller: try reader.take(seller, "seller").party,
            buyer: try reader.take(buyer, "buyer").party, fieldCode: try reader.take(field, "field"), totalFen: try reader.take(total, "totalFen"),
            costLines: ((costs ?? nil) ?? []).map(\.line), signedOn: try reader.take(signedOn, "signedOn"), source: .direct, listingID: nil,
            subject: subject ?? nil)
    }
}

struct RegistrationBody: Decodable {
    var costLines: [CostLine]?

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["nonTechnicalCosts"])
        let costs: [CostLineBody]?? = reader.optional("nonTechnicalCosts", CostLine.expected)
        try reader.finish()
        costLines = (costs ?? nil)?.map(\.line)
    }
}

struct ChangeBody: Decodable, MultilineFields {
    static let multilineFields: Set<String> = ["reason"]
    var change: ContractChange

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["title", "totalFen", "nonTechnicalCosts", "reason"])
        let title: String?? = reader.optional("title", "a string")
        let total: Int64? = reader.required("totalFen", "an integer number of fen")
        let costs: [CostLineBody]? = reader.required("nonTechnicalCosts", CostLine.expected)
        let reason: String? = reader.required("reason", "why the contract changed")
        try reader.finish()
        change = ContractChange(
            title: title ?? nil, totalFen: try reader.take(total, "totalFen"), costLines: try reader.take(costs, "nonTechnicalCosts").map(\.line),
            reason: try reader.take(reason, "reason"))
    }
}

struct TerminationBody: Decodable, MultilineFields {
    static let multilineFields: Set<String> = ["reason"]
    var reason: String

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ["reason"])
        let reason: String? = reader.required("reason", "why the contract ended")
        try reader.finish()
        self.reason = try reader.take(reason, "reason")
    }
}
