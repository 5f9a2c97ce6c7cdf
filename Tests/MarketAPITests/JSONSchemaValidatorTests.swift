import Foundation
import Testing
import TestSupport

/// The validator on its own, on small inline schemas: what the contract tests lean on.
@Suite struct JSONSchemaValidatorTests {
    /// A miniature OpenAPI document, parsed as the real one is.
    static let documentText = #"""
        {
          "openapi": "3.1.0",
          "paths": {
            "/v1/things": {
              "get": {
                "responses": {
                  "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingPage"}}}},
                  "4XX": {"$ref": "#/components/responses/Problem"}
                }
              },
              "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "responses": {
                  "201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                  "default": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/v1/things/{id}": {
              "get": {"responses": {"200": {"content": {"application/json": {"schema": {"const": "by id"}}}}}}
            },
            "/v1/things/mine": {
              "get": {"responses": {"200": {"content": {"application/json": {"schema": {"const": "mine"}}}}}}
            }
          },
          "components": {
            "responses": {
              "Problem": {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            },
            "schemas": {
              "Problem": {
                "type": "object",
                "required": ["status", "code"],
                "additionalProperties": false,
                "properties": {"status": {"type": "integer", "minimum": 400, "maximum": 599}, "code": {"type": "string"}}
              },
              "Thing": {
                "type": "object",
                "required": ["id", "title", "price", "negotiable"],
                "additionalProperties": false,
                "properties": {
                  "id": {"type": "integer", "minimum": 1},
                  "title": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[^\\u0000-\\u001F]*$"},
                  "price": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000000000000},
                  "negotiable": {"type": "boolean"},
                  "tags": {"type": "array", "maxItems": 2, "uniqueItems": true, "items": {"type": "string"}}
                },
                "oneOf": [
                  {"properties": {"price": {"type": "integer"}, "negotiable": {"const": false}}},
                  {"properties": {"price": {"type": "null"}, "negotiable": {"const": true}}}
                ]
              },
              "ThingPage": {
                "type": "object",
                "required": ["items", "nextCursor"],
                "additionalProperties": false,
                "properties": {
                  "items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
                  "nextCursor": {"type": ["string", "null"]}
                }
              },
              "Loop": {"$ref": "#/components/schemas/Loop2"},
              "Loop2": {"$ref": "#/components/schemas/Loop"},
              "a/b~c": {"const": "escaped"}
            }
          }
        }
        """#

    let validator: JSONSchemaValidator

    init() throws {
        validator = JSONSchemaValidator(document: try Self.parse(Self.documentText))
    }

    static func parse(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// Errors of `json` (parsed, as a response body would be) against `schema`.
    func errors(_ json: String, _ schema: Any) throws -> [String] {
        validator.validate(try Self.parse(json), against: schema)
    }

    // MARK: - type

    @Test func parsedBooleansAreNotNumbersAndNumbersAreNotBooleans() throws {
        #expect(try errors("true", ["type": "boolean"]).isEmpty)
        #expect(try errors("false", ["type": "boolean"]).isEmpty)
        #expect(try errors("true", ["type": "integer"]) == ["$: is boolean, not integer"])
        #expect(try errors("true", ["type": "number"]) == ["$: is boolean, not number"])
        #expect(try errors("1", ["type": "boolean"]) == ["$: is integer, not boolean"])
        #expect(try errors("0", ["type": "boolean"]) == ["$: is integer, not boolean"])
        #expect(try errors("1", ["type": "integer"]).isEmpty)
        #expect(try errors("1", ["type": "number"]).isEmpty)
        #expect(try errors("1.5", ["type": "integer"]) == ["$: is number, not integer"])
        #expect(try errors("1.5", ["type": "number"]).isEmpty)
        #expect(try errors("1.5", ["type": "boolean"]) == ["$: is number, not boolean"])
    }

    @Test func nativeSwiftValuesAreClassifiedLikeParsedOnes() {
        let boolean: [String: Any] = ["type": "boolean"]
        let integer: [String: Any] = ["type": "integer"]
        #expect(validator.validate(true, against: boolean).isEmpty)
        #expect(!validator.validate(true, against: integer).isEmpty)
        #expect(!validator.validate(1, against: boolean).isEmpty)
        #expect(validator.validate(1, against: integer).isEmpty)
        #expect(validator.validate(Int64.max, against: integer).isEmpty)
        #expect(validator.validate(UInt8(7), against: integer).isEmpty)
        #expect(!validator.validate(1.5, against: integer).isEmpty)
        #expect(!validator.validate(1.5, against: boolean).isEmpty)
        #expect(validator.validate(NSNumber(value: true), against: boolean).isEmpty)
        #expect(!validator.validate(NSNumber(value: 1), against: boolean).isEmpty)
        #expect(validator.validate(NSNumber(value: 1), against: integer).isEmpty)
        #expect(validator.validate(NSNumber(value: 1.5), against: ["type": "number"]).isEmpty)
        #expect(validator.validate(NSNull(), against: ["type": "null"]).isEmpty)
        #expect(validator.validate(Date(), against: ["type": "string"]) == ["$: Date is not a JSON value"])
    }

    @Test func wholeNumbersWithADecimalPointAreIntegers() throws {
        // JSON Schema types by mathematical value: 1.0 is an integer.
        #expect(try errors("1.0", ["type": "integer"]).isEmpty)
        #expect(validator.validate(2.0, against: ["type": "integer"]).isEmpty)
        #expect(try errors("1e3", ["type": "integer"]).isEmpty)
    }

    @Test func typeListsAllowNull() throws {
        let nullableString: [String: Any] = ["type": ["string", "null"], "minLength": 2]
        #expect(try errors("null", nullableString).isEmpty)
        #expect(try errors(#""ab""#, nullableString).isEmpty)
        #expect(try errors(#""a""#, nullableString) == ["$: has 1 characters, fewer than minLength 2"])
        #expect(try errors("1", nullableString) == ["$: is integer, not one of string, null"])
        #expect(try errors("null", ["type": "string"]) == ["$: is null, not string"])
        // A nil in a Swift literal is null too.
        let body: [String: Any?] = ["benefit": nil]
        #expect(validator.validate(body as Any, against: ["properties": ["benefit": ["type": "null"]]]).isEmpty)
    }

    // MARK: - objects

    @Test func requiredAndUnknownPropertiesAreNamed() throws {
        let schema: [String: Any] = [
            "type": "object", "required": ["id", "title"], "additionalProperties": false,
            "properties": ["id": ["type": "integer"], "title": ["type": "string"]],
        ]
        #expect(try errors(#"{"id": 1, "title": "x"}"#, schema).isEmpty)
        #expect(try errors(#"{"id": 1}"#, schema) == ["$.title: is required"])
        #expect(try errors(#"{"id": 1, "title": "x", "extra": true, "a b": 0}"#, schema) == [
            #"$["a b"]: is not an allowed property"#, "$.extra: is not an allowed property",
        ])
        #expect(try errors(#"[1]"#, schema) == ["$: is array, not object"])
    }

    @Test func additionalPropertiesCanBeASchema() throws {
        let schema: [String: Any] = [
            "properties": ["name": ["type": "string"]], "additionalProperties": ["type": "integer"],
            "patternProperties": ["^x-": ["type": "boolean"]],
        ]
        #expect(try errors(#"{"name": "n", "count": 3, "x-flag": true}"#, schema).isEmpty)
        #expect(try errors(#"{"count": "3"}"#, schema) == ["$.count: is string, not integer"])
        #expect(try errors(#"{"x-flag": 1}"#, schema) == ["$[\"x-flag\"]: is integer, not boolean"])
        #expect(try errors(#"{}"#, ["minProperties": 1]) == ["$: has 0 properties, fewer than minProperties 1"])
    }

    // MARK: - enum and const

    @Test func enumAndConstCompareAsJSON() throws {
        let modes: [String: Any] = ["enum": ["assignment", "equity"]]
        #expect(try errors(#""equity""#, modes).isEmpty)
        #expect(try errors(#""gift""#, modes) == [#"$: "gift" is not one of "assignment", "equity""#])
        #expect(try errors("1.0", ["enum": [1]]).isEmpty)
        #expect(try errors("true", ["enum": [1]]) == ["$: true is not one of 1"])
        #expect(try errors("1", ["const": true]) == ["$: 1 is not true"])
        #expect(try errors("false", ["const": false]).isEmpty)
        #expect(try errors("null", ["const": NSNull()]).isEmpty)
        #expect(try errors(#"{"b": [1, {"c": null}], "a": "x"}"#, ["const": ["a": "x", "b": [1, ["c": NSNull()]]]]).isEmpty)
        #expect(try !errors(#"{"a": "x"}"#, ["const": ["a": "x", "b": 1]]).isEmpty)
    }

    // MARK: - numbers

    @Test func numericBounds() throws {
        let trl: [String: Any] = ["type": "integer", "minimum": 1, "maximum": 9]
        #expect(try errors("1", trl).isEmpty)
        #expect(try errors("9", trl).isEmpty)
        #expect(try errors("0", trl) == ["$: 0 is less than the minimum 1"])
        #expect(try errors("10", trl) == ["$: 10 is more than the maximum 9"])
        #expect(try errors("8.5", ["maximum": 9]).isEmpty)
        #expect(try errors("9.5", ["maximum": 9]) == ["$: 9.5 is more than the maximum 9"])
        let price: [String: Any] = ["minimum": 1, "maximum": 1_000_000_000_000]
        #expect(try errors("1000000000000", price).isEmpty)
        #expect(try errors("1000000000001", price) == ["$: 1000000000001 is more than the maximum 1000000000000"])
        // Exact past 2^53, where doubles would round both to the same value.
        #expect(try errors("9007199254740993", ["maximum": 9_007_199_254_740_992]).count == 1)
        #expect(try errors("0", ["exclusiveMinimum": 0]) == ["$: 0 is not more than the exclusive minimum 0"])
        #expect(try errors("5", ["exclusiveMaximum": 5]) == ["$: 5 is not less than the exclusive maximum 5"])
        #expect(try errors("0.3", ["multipleOf": 0.1]).isEmpty)
        #expect(try errors("7", ["multipleOf": 2]) == ["$: 7 is not a multiple of 2"])
        // Bounds say nothing about other types.
        #expect(try errors(#""100""#, ["maximum": 1]).isEmpty)
    }

    // MARK: - strings

    @Test func lengthsCountCodePoints() throws {
        let schema: [String: Any] = ["minLength": 2, "maxLength": 3]
        #expect(try errors(#""遥感""#, schema).isEmpty)
        // One grapheme, two code points (a thumb and a skin tone), four UTF-16 units.
        #expect(try errors(#""👍🏽""#, schema).isEmpty)
        #expect(try errors(#""😀""#, schema) == ["$: has 1 characters, fewer than minLength 2"])
        // "é" as e and a combining accent is two code points.
        #expect(try errors("\"e\u{301}\"", schema).isEmpty)
        #expect(try errors(#""影像解译""#, schema) == ["$: has 4 characters, more than maxLength 3"])
        #expect(try errors("12", ["minLength": 5]).isEmpty)
    }

    @Test func patternsMatchAnywhereUnlessAnchored() throws {
        #expect(try errors(#""xxCNyy""#, ["pattern": "CN"]).isEmpty)
        let patent: [String: Any] = ["pattern": #"^(CN|ZL)[0-9]{12}\.[0-9X]$"#]
        #expect(try errors(#""CN202110123456.7""#, patent).isEmpty)
        #expect(try errors(#""ZL20211012345.X""#, patent).count == 1)
        let noControl: [String: Any] = ["pattern": #"^[^\u0000-\u001F\u007F-\u009F]*$"#]
        #expect(try errors(#""卫星遥感影像 system""#, noControl).isEmpty)
        #expect(try errors(#""a\tb""#, noControl).count == 1)
        #expect(try errors(#""a\u0085b""#, noControl).count == 1)
        #expect(try errors(#""a""#, ["pattern": "("]) == ["$: the pattern ( does not compile"])
    }

    // MARK: - arrays

    @Test func arrayItemsCountsAndUniqueness() throws {
        let keywords: [String: Any] = [
            "type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": true,
            "items": ["type": "string", "minLength": 1],
        ]
        #expect(try errors(#"["遥感", "影像解译"]"#, keywords).isEmpty)
        #expect(try errors(#"[]"#, keywords) == ["$: has 0 items, fewer than minItems 1"])
        #expect(try errors(#"["a", "b", "c", "d"]"#, keywords) == ["$: has 4 items, more than maxItems 3"])
        #expect(try errors(#"["a", "b", "a"]"#, keywords) == ["$: items 0 and 2 are equal, and uniqueItems is true"])
        #expect(try errors(#"["a", "", 3]"#, keywords) == [
            "$[1]: has 0 characters, fewer than minLength 1", "$[2]: is integer, not string",
        ])
        let unique: [String: Any] = ["uniqueItems": true]
        #expect(try errors("[1, 1.0]", unique).count == 1)
        #expect(try errors("[1, true]", unique).isEmpty)
        #expect(try errors(#"[{"a": 1, "b": 2}, {"b": 2, "a": 1}]"#, unique).count == 1)
        #expect(try errors("[1, 1]", ["uniqueItems": false]).isEmpty)
        let pair: [String: Any] = ["prefixItems": [["type": "string"]], "items": ["type": "integer"]]
        #expect(try errors(#"["a", 1, 2]"#, pair).isEmpty)
        #expect(try errors(#"[1, "a"]"#, pair) == ["$[0]: is integer, not string", "$[1]: is string, not integer"])
    }

    // MARK: - combinators

    @Test func oneOfNeedsExactlyOneMatch() throws {
        let schema: [String: Any] = ["oneOf": [["type": "integer"], ["minimum": 2]]]
        #expect(try errors("1", schema).isEmpty)
        #expect(try errors("2.5", schema).isEmpty)
        #expect(try errors("3", schema) == ["$: matches 2 of oneOf (branches 0, 1), not exactly one"])
        let none = try errors(#""x""#, ["oneOf": [["type": "integer"], ["type": "boolean"]]])
        #expect(none == ["$: matches none of oneOf (branch 0: $: is string, not integer; branch 1: $: is string, not boolean)"])
    }

    @Test func anyOfAllOfAndNot() throws {
        let nullableRef: [String: Any] = ["anyOf": [["$ref": "#/components/schemas/Problem"], ["type": "null"]]]
        #expect(try errors("null", nullableRef).isEmpty)
        #expect(try errors(#"{"status": 404, "code": "not_found"}"#, nullableRef).isEmpty)
        #expect(try errors(#"{"status": 404}"#, nullableRef).count == 1)
        let narrowed: [String: Any] = [
            "allOf": [["$ref": "#/components/schemas/Problem"], ["properties": ["code": ["enum": ["unauthenticated"]]]]],
        ]
        #expect(try errors(#"{"status": 401, "code": "unauthenticated"}"#, narrowed).isEmpty)
        #expect(try errors(#"{"status": 401, "code": "forbidden", "x": 1}"#, narrowed) == [
            "$.x: is not an allowed property", #"$.code: "forbidden" is not one of "unauthenticated""#,
        ])
        let knowHow: [String: Any] = ["not": ["required": ["number"]]]
        #expect(try errors(#"{"kind": "know_how"}"#, knowHow).isEmpty)
        #expect(try errors(#"{"number": "x"}"#, knowHow) == ["$: matches a schema under not"])
    }

    @Test func ifThenElseAndBooleanSchemas() throws {
        let schema: [String: Any] = [
            "if": ["properties": ["kind": ["const": "patent"]]],
            "then": ["required": ["number"]],
            "else": ["properties": ["number": false]],
        ]
        #expect(try errors(#"{"kind": "patent", "number": "CN1"}"#, schema).isEmpty)
        #expect(try errors(#"{"kind": "patent"}"#, schema) == ["$.number: is required"])
        #expect(try errors(#"{"kind": "know_how", "number": "x"}"#, schema) == ["$.number: no value is allowed here"])
        #expect(validator.validate("anything", against: true).isEmpty)
        #expect(validator.validate(NSNull(), against: false) == ["$: no value is allowed here"])
        // An NSNumber 1 is a number, not the schema `true`.
        #expect(validator.validate("x", against: NSNumber(value: 1)) == ["$: the schema is neither an object nor a boolean"])
    }

    // MARK: - references and the document

    @Test func componentsAreFoundByName() throws {
        let thing = try Self.parse(#"{"id": 1, "title": "卫星", "price": null, "negotiable": true}"#)
        #expect(validator.validate(thing, component: "Thing").isEmpty)
        #expect(validator.validate(thing, component: "Nothing") == ["$: the document has no schema #/components/schemas/Nothing"])
        #expect(validator.validate("escaped", component: "a/b~c").isEmpty)
        #expect(validator.validate("x", against: ["$ref": "#/components/schemas/Missing"]) == [
            "$: $ref #/components/schemas/Missing does not resolve in the document",
        ])
    }

    @Test func errorsNameThePathOfTheValue() throws {
        let page = try Self.parse(
            #"""
            {"items": [
              {"id": 1, "title": "ok", "price": 100, "negotiable": false},
              {"id": 0, "title": "a\u0007", "price": 100, "negotiable": true, "tags": ["x", "x"]}
            ], "nextCursor": null}
            """#)
        let errors = validator.validate(page, component: "ThingPage")
        #expect(errors.contains("$.items[1].id: 0 is less than the minimum 1"))
        #expect(errors.contains(#"$.items[1].title: "a\#u{7}" does not match the pattern ^[^\u0000-\u001F]*$"#))
        #expect(errors.contains("$.items[1].tags: items 0 and 1 are equal, and uniqueItems is true"))
        #expect(errors.contains { $0.hasPrefix("$.items[1]: matches none of oneOf") })
        #expect(errors.count == 4)
        #expect(validator.validate(page, against: ["type": "object"], at: "body").isEmpty)
        #expect(validator.validate(1, against: ["type": "string"], at: "body") == ["body: is integer, not string"])
    }

    @Test func priceAndNegotiableAreExclusive() throws {
        let priced = try Self.parse(#"{"id": 1, "title": "ab", "price": 1, "negotiable": false}"#)
        let both = try Self.parse(#"{"id": 1, "title": "ab", "price": 1, "negotiable": true}"#)
        let neither = try Self.parse(#"{"id": 1, "title": "ab", "price": null, "negotiable": false}"#)
        #expect(validator.validate(priced, component: "Thing").isEmpty)
        #expect(validator.validate(both, component: "Thing").count == 1)
        #expect(validator.validate(neither, component: "Thing").count == 1)
    }

    @Test func referenceCyclesAreReportedNotFollowedForever() {
        let errors = validator.validate(1, component: "Loop")
        #expect(errors.count == 1)
        #expect(errors.first?.contains("nests too deeply") == true)
    }

    @Test func responseSchemasAreLookedUpByPathMethodStatusAndType() throws {
        let page = validator.responseSchema(path: "/v1/things", method: "GET", status: 200, contentType: "application/json")
        #expect((page as? [String: Any])?["$ref"] as? String == "#/components/schemas/ThingPage")
        // Parameters of the media type are ignored; a 4XX range and a referenced response are followed.
        let charset = validator.responseSchema(path: "/v1/things", method: "get", status: 200, contentType: "application/json; charset=utf-8")
        #expect(charset != nil)
        let problem = validator.responseSchema(path: "/v1/things", method: "get", status: 404, contentType: "application/problem+json")
        #expect((problem as? [String: Any])?["$ref"] as? String == "#/components/schemas/Problem")
        let fallback = validator.responseSchema(path: "/v1/things", method: "post", status: 415, contentType: "application/problem+json")
        #expect(fallback != nil)
        // Not declared: a 5xx on GET, a content type, a method, a path.
        #expect(validator.responseSchema(path: "/v1/things", method: "get", status: 503, contentType: "application/problem+json") == nil)
        #expect(validator.responseSchema(path: "/v1/things", method: "get", status: 200, contentType: "text/html") == nil)
        #expect(validator.responseSchema(path: "/v1/things", method: "delete", status: 200, contentType: "application/json") == nil)
        #expect(validator.responseSchema(path: "/v1/nothing", method: "get", status: 200, contentType: "application/json") == nil)
        let body = try Self.parse(#"{"status": 404, "code": "not_found"}"#)
        #expect(validator.validate(body, against: problem!).isEmpty)
    }

    @Test func concretePathsMatchTemplatesAndLiteralsWin() {
        func constant(_ path: String) -> String? {
            let schema = validator.responseSchema(path: path, method: "get", status: 200, contentType: "application/json")
            return (schema as? [String: Any])?["const"] as? String
        }
        #expect(constant("/v1/things/{id}") == "by id")
        #expect(constant("/v1/things/17") == "by id")
        #expect(constant("/v1/things/mine") == "mine")
        #expect(constant("/v1/things/17/more") == nil)
        #expect(constant("/v1/things/") == nil)
    }

    @Test func requestSchemasAreLookedUpToo() throws {
        let schema = try #require(validator.requestSchema(path: "/v1/things", method: "POST"))
        let body = try Self.parse(#"{"id": 2, "title": "ab", "price": 5, "negotiable": false, "bogus": 1}"#)
        #expect(validator.validate(body, against: schema) == ["$.bogus: is not an allowed property"])
        #expect(validator.requestSchema(path: "/v1/things", method: "GET") == nil)
    }
}
