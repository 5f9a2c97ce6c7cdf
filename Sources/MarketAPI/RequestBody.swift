import Foundation
import HTTPTypes
import Hummingbird
import Market

/// A request body whose named fields may hold tabs and line feeds; every other string of every
/// body refuses all control characters (`StrictJSON`).
protocol MultilineFields {
    static var multilineFields: Set<String> { get }
}

/// Reads JSON bodies strictly: JSON only, UTF-8, an object, no unknown or repeated fields, no
/// control characters; every bad field is reported, not only the first.
enum RequestBody {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: AppRequestContext) async throws -> T {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingWhitespace.lowercased()
        guard mediaType == "application/json" else {
            throw Problem(
                status: .unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                detail: "send the body as JSON with Content-Type: application/json")
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let bytes = Data(buffer: buffer)
        guard String(data: bytes, encoding: .utf8) != nil else {
            throw Problem.invalid([.init(field: "body", message: "is not valid UTF-8")])
        }
        let refused = StrictJSON.issues(in: Array(bytes), multiline: (T.self as? any MultilineFields.Type)?.multilineFields ?? [])
        if !refused.isEmpty { throw MarketError.invalid(refused) }
        if let flat = T.self as? any FlatBody.Type, let members = CanonicalJSON.members(Array(bytes)),
           let body = flat.init(flat: members) as? T
        {
            return body
        }
        return try JSONDecoder().decode(T.self, from: bytes)
    }
}

/// A body that a flat object of simple values (`CanonicalJSON.members`) can give without
/// JSONDecoder, which on the offer bench was 5% of the server's CPU per offer. `init(flat:)`
/// gives what decoding would, or nil, and the body is then decoded.
protocol FlatBody {
    init?(flat members: [CanonicalJSON.Member])
}

/// Any key of a JSON object, so that unknown ones can be named.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Walks one JSON object field by field, collecting a `FieldIssue` for each bad one.
struct ObjectReader {
    let container: KeyedDecodingContainer<AnyKey>
    let path: String
    var issues: FieldIssues

    init(_ decoder: any Decoder, allowed: [String], path: String = "") throws {
        do {
            container = try decoder.container(keyedBy: AnyKey.self)
        } catch {
            throw MarketError.invalid([FieldIssue(path.isEmpty ? "body" : path, "must be a JSON object")])
        }
        self.path = path
        issues = FieldIssues()
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            issues.add(name(key.stringValue), allowed.isEmpty ? "is not a known field (this body has none)"
                : "is not a known field (known: \(allowed.joined(separator: ", ")))")
        }
    }

    func name(_ key: String) -> String { FieldPath.appending(key: key, to: path) }

    /// A required value once `finish` has passed: there, or refused rather than trapped on.
    func take<T>(_ value: T?, _ key: String) throws(MarketError) -> T {
        guard let value else { throw .invalid([FieldIssue(name(key), "is required")]) }
        return value
    }

    /// A field that must be present and not null.
    mutating func required<T: Decodable>(_ key: String, _ expected: String) -> T? {
        guard container.contains(AnyKey(key)) else {
            issues.add(name(key), "is required (\(expected))")
            return nil
        }
        guard let value: T? = optional(key, expected) else { return nil }
        if value == nil { issues.add(name(key), "must not be null (\(expected))") }
        return value
    }

    /// nil when absent, `.some(nil)` when null, else the value (nil too when it did not decode).
    mutating func optional<T: Decodable>(_ key: String, _ expected: String) -> T?? {
        let codingKey = AnyKey(key)
        guard container.contains(codingKey) else { return nil }
        if (try? container.decodeNil(forKey: codingKey)) == true { return .some(nil) }
        do {
            return .some(try container.decode(T.self, forKey: codingKey))
        } catch let error as MarketError {
            if case .invalid(let nested) = error { for issue in nested { issues.add(issue) } }
            return nil
        } catch let error as DecodingError {
            let field = RequestDecoding.fieldError(error).field
            issues.add(field == "body" ? name(key) : field, "must be \(expected)")
            return nil
        } catch {
            issues.add(name(key), "must be \(expected)")
            return nil
        }
    }

    /// The issues so far, thrown as one answer.
    func finish() throws(MarketError) { try issues.throwIfAny() }
}

extension IPAsset {
    static let expected = "an object {kind: patent|software_copyright|know_how, number, title}"
}

/// One IP asset in a request body, read strictly.
struct IPAssetBody: Decodable {
    var asset: IPAsset

    init(from decoder: any Decoder) throws {
        let path = RequestDecoding.path(decoder.codingPath)
        var reader = try ObjectReader(decoder, allowed: ["kind", "number", "title"], path: path)
        let kind: IPAsset.Kind? = reader.required("kind", "one of patent, software_copyright, know_how")
        let number: String?? = reader.optional("number", "a string")
        let title: String? = reader.required("title", "a string")
        try reader.finish()
        asset = IPAsset(kind: try reader.take(kind, "kind"), number: number ?? nil, title: try reader.take(title, "title"))
    }
}

let transferModeChoices = TransferMode.allCases.map(\.rawValue).joined(separator: ", ")

/// `POST /v1/listings`.
struct ListingCreateBody: Decodable, MultilineFields {
    static let multilineFields: Set<String> = ["summary", "benefit"]
    static let fields = [
        "reference", "title", "summary", "benefit", "field", "keywords", "trl", "ipAssets", "transferModes",
        "askingPriceFen", "negotiable",
    ]
    var content: ListingContent

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: Self.fields)
        let reference: String?? = reader.optional("reference", "a string")
        let title: String? = reader.required("title", "a string")
        let summary: String? = reader.required("summary", "a string")
        let benefit: String?? = reader.optional("benefit", "a string")
        let field: String? = reader.required("field", "a field code from /v1/fields")
        let keywords: [String]?? = reader.optional("keywords", "an array of strings")
        let trl: Int? = reader.required("trl", "an integer from 1 to 9")
        let assets: [IPAssetBody]?? = reader.optional("ipAssets", "an array of \(IPAsset.expected)")
        let modes: [TransferMode]? = reader.required("transferModes", "an array of: \(transferModeChoices)")
        let price: Int64?? = reader.optional("askingPriceFen", "an integer number of fen, or null")
        let negotiable: Bool?? = reader.optional("negotiable", "true or false")
        let priceValue = price ?? nil
        let isNegotiable = (negotiable ?? nil) == true
        if priceValue != nil && isNegotiable {
            reader.issues.add("negotiable", "cannot be true with an asking price; send one or the other")
        } else if priceValue == nil && !isNegotiable && !reader.issues.all.contains(where: { $0.field == "askingPriceFen" }) {
            reader.issues.add("askingPriceFen", "is required unless negotiable is true (面议)")
        }
        // The rules of the fields that did decode are checked too (stand-ins fill the gaps), so
        // that one answer names every bad field.
        let candidate = ListingContent(
            reference: reference ?? nil, title: title ?? "标题", summary: summary ?? "一个有效的成果摘要。", benefit: benefit ?? nil,
            fieldCode: field ?? "other", keywords: (keywords ?? nil) ?? [], trl: trl ?? 1, ipAssets: ((assets ?? nil) ?? []).map(\.asset),
            transferModes: modes ?? [.assignment], askingPriceFen: (price ?? nil) ?? (isNegotiable ? nil : 1))
        if !reader.issues.isEmpty {
            var more: [FieldIssue] = []
            do { try candidate.validate() } catch { if case .invalid(let found) = error { more = found } }
            let named = Set(reader.issues.all.map { FieldPath.root($0.field) })
            for issue in more where !named.contains(FieldPath.root(issue.field)) {
                reader.issues.add(issue)
            }
        }
        try reader.finish()
        content = candidate
    }
}

/// `PATCH /v1/listings/{id}`.
struct ListingPatchBody: Decodable, MultilineFields {
    static var multilineFields: Set<String> { ListingCreateBody.multilineFields }
    var changes = ListingChanges()
    var version: Int?

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(decoder, allowed: ListingCreateBody.fields + ["version"])
        changes.reference = reader.optional("reference", "a string or null")
        changes.title = reader.optional("title", "a string") ?? nil
        if reader.container.contains(AnyKey("title")), changes.title == nil { reader.issues.add("title", "must not be null") }
        changes.summary = reader.optional("summary", "a string") ?? nil
        changes.benefit = reader.optional("benefit", "a string or null")
        changes.fieldCode = reader.optional("field", "a field code from /v1/fields") ?? nil
        changes.keywords = reader.optional("keywords", "an array of strings") ?? nil
        changes.trl = reader.optional("trl", "an integer from 1 to 9") ?? nil
        let assets: [IPAssetBody]?? = reader.optional("ipAssets", "an array of \(IPAsset.expected)")
        changes.ipAssets = (assets ?? nil)?.map(\.asset)
        changes.transferModes = reader.optional("transferModes", "an array of: \(transferModeChoices)") ?? nil
        changes.askingPriceFen = reader.optional("askingPriceFen", "an integer number of fen, or null")
        changes.negotiable = reader.optional("negotiable", "true or false") ?? nil
        version = reader.optional("version", "the integer version you read") ?? nil
        for key in ["summary", "field", "keywords", "trl", "ipAssets", "transferModes", "negotiable", "version"]
        where reader.container.contains(AnyKey(key)) && (try? reader.container.decodeNil(forKey: AnyKey(key))) == true {
            reader.issues.add(key, "must not be null")
        }
        try reader.finish()
    }
}

/// `POST /v1/parties`.
struct PartyCreateBody: Decodable {
    var party: NewParty

    init(from decoder: any Decoder) throws {
        var reader = try ObjectReader(
            decoder, allowed: ["handle", "kind", "name", "nameEn", "regionCode", "creditCode", "groupCode"])
        let handle: String? = reader.required("handle", "2 to 40 lower-case letters, digits or hyphens")
        let kind: PartyKind? = reader.required("kind", "one of institution, firm, provider, regulator")
        let name: String? = reader.required("name", "a string")
        let nameEn: String?? = reader.optional("nameEn", "a string")
        let region: RegionCode? = reader.required("regionCode", "a six-digit GB/T 2260 region code")
        let creditCode: String?? = reader.optional("creditCode", "an 18-character unified social credit code")
        let groupCode: String?? = reader.optional("groupCode", "a controller group code")
        try reader.finish()
        party = NewParty(
            handle: try reader.take(handle, "handle"), kind: try reader.take(kind, "kind"), name: try reader.take(name, "name"),
            nameEn: nameEn ?? nil, regionCode: try reader.take(region, "regionCode"), creditCode: creditCode ?? nil,
            groupCode: groupCode ?? nil)
    }
}
