import Foundation

/// The OpenAPI 3.1 document of the API, served at `GET /openapi.json` as the file
/// `Sources/MarketAPI/openapi.json` (a resource of this target): the machine-readable form of
/// docs/listings.md, docs/vouchers.md and of the health and reference-data endpoints. Kept by
/// hand, in step with them; the tests check every response against it.
public enum OpenAPIDocument {
    /// The document's bytes, read once from the target's resources.
    public static let data: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            preconditionFailure("the MarketAPI resources lack openapi.json: the build is incomplete")
        }
        return data
    }()

    /// The document as text.
    public static var json: String { String(decoding: data, as: UTF8.self) }
}
