import Foundation

/// A small JSON Schema (2020-12) validator, enough for the OpenAPI document of the API: it checks
/// response bodies against the schemas the document declares.
///
/// Values are what `JSONSerialization` gives (`[String: Any]`, `[Any]`, `String`, `NSNumber`,
/// `NSNull`) or the same built from Swift literals (`Bool`, `Int`, `Double`, …). Booleans are told
/// apart from numbers: `true` is not the integer 1, and 1 is not `true`.
///
/// Supported: `$ref` (local JSON pointers such as `#/components/schemas/Problem`), `type` (one name
/// or several), `enum`, `const`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `multipleOf`, `minLength`, `maxLength` (in code points), `pattern`, `items`, `prefixItems`,
/// `minItems`, `maxItems`, `uniqueItems`, `properties`, `patternProperties`, `required`,
/// `additionalProperties`, `minProperties`, `maxProperties`, `allOf`, `anyOf`, `oneOf`, `not`,
/// `if`/`then`/`else`, and the boolean schemas `true` and `false`. Other keywords (`format`,
/// `description`, `examples`, …) are annotations and ignored.
public struct JSONSchemaValidator: @unchecked Sendable {
    // @unchecked: the document is a tree of immutable Foundation values that is only ever read.

    /// The parsed OpenAPI document, the root that `$ref`s point into.
    public let document: Any

    public init(document: Any) {
        self.document = document
    }

    /// The errors of `value` against `schema`, each starting with the JSON path of the value it is
    /// about (`$.items[0].title: …`); empty when the value is valid.
    public func validate(_ value: Any, against schema: Any, at path: String = "$") -> [String] {
        validate(value, against: schema, at: path, depth: 0)
    }

    /// The errors of `value` against `#/components/schemas/<name>`.
    public func validate(_ value: Any, component name: String) -> [String] {
        let pointer = "#/components/schemas/" + Self.escapePointerToken(name)
        guard resolve(pointer) != nil else { return ["$: the document has no schema \(pointer)"] }
        return validate(value, against: ["$ref": pointer], at: "$")
    }

    /// The schema of the response an operation declares for `status` and `contentType`.
    ///
    /// `path` is a path template of the document (`/v1/listings/{id}`) or a concrete path that one
    /// matches (`/v1/listings/17`); a literal template wins over one with parameters. The status is
    /// looked up exactly, then as `4XX`, then as `default`. Parameters of the content type
    /// (`; charset=utf-8`) are ignored. Nil when the document declares no such response or content.
    public func responseSchema(path: String, method: String, status: Int, contentType: String) -> Any? {
        guard let operation = operation(path: path, method: method),
            let responses = operation["responses"] as? [String: Any]
        else { return nil }
        let candidates = [String(status), "\(status / 100)XX", "\(status / 100)xx", "default"]
        guard let key = candidates.first(where: { responses[$0] != nil }),
            let response = resolvingReference(responses[key]!) as? [String: Any]
        else { return nil }
        return Self.schema(in: response["content"], contentType: contentType)
    }

    /// The schema of the request body an operation declares for `contentType`, or nil.
    public func requestSchema(path: String, method: String, contentType: String = "application/json") -> Any? {
        guard let operation = operation(path: path, method: method),
            let body = operation["requestBody"].map(resolvingReference) as? [String: Any]
        else { return nil }
        return Self.schema(in: body["content"], contentType: contentType)
    }

    /// The operation object at `path` and `method` (`get`, `POST`, …), or nil.
    public func operation(path: String, method: String) -> [String: Any]? {
        guard let paths = (document as? [String: Any])?["paths"] as? [String: Any] else { return nil }
        let item: Any?
        if let exact = paths[path] {
            item = exact
        } else {
            let segments = Self.segments(path)
            let matches = paths.keys.filter { template in
                let parts = Self.segments(template)
                return parts.count == segments.count
                    && zip(parts, segments).allSatisfy { part, segment in
                        Self.isTemplateParameter(part) ? !segment.isEmpty : part == segment
                    }
            }
            // The most literal segments first, then by name so the choice does not depend on hashing.
            let best = matches.min { lhs, rhs in
                let left = Self.segments(lhs).filter(Self.isTemplateParameter).count
                let right = Self.segments(rhs).filter(Self.isTemplateParameter).count
                return left != right ? left < right : lhs < rhs
            }
            item = best.flatMap { paths[$0] }
        }
        guard let pathItem = item.map(resolvingReference) as? [String: Any] else { return nil }
        return pathItem[method.lowercased()] as? [String: Any]
    }

    /// The value a local reference (`#/components/schemas/Listing`) points to, or nil.
    public func resolve(_ reference: String) -> Any? {
        guard reference.hasPrefix("#") else { return nil }
        let fragment = String(reference.dropFirst())
        guard let decoded = fragment.removingPercentEncoding else { return nil }
        if decoded.isEmpty { return document }
        guard decoded.hasPrefix("/") else { return nil }
        var node: Any = document
        for token in decoded.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let object = node as? [String: Any] {
                guard let next = object[name] else { return nil }
                node = next
            } else if let array = node as? [Any] {
                guard let index = Int(name), array.indices.contains(index) else { return nil }
                node = array[index]
            } else {
                return nil
            }
        }
        return node
    }

    // MARK: - Validation

    /// How many `$ref`s may be followed without descending into the value: past it a cycle is assumed.
    private static let referenceDepthMax = 64

    private func validate(_ value: Any, against schema: Any, at path: String, depth: Int) -> [String] {
        if let allowed = schema as? Bool, Self.isBoolean(schema) {
            return allowed ? [] : ["\(path): no value is allowed here"]
        }
        guard let schema = schema as? [String: Any] else {
            return ["\(path): the schema is neither an object nor a boolean"]
        }
        guard let json = JSONValue(value) else {
            return ["\(path): \(type(of: value)) is not a JSON value"]
        }
        var errors: [String] = []

        if let reference = schema["$ref"] {
            if let reference = reference as? String, let target = resolve(reference) {
                if depth >= Self.referenceDepthMax {
                    errors.append("\(path): $ref \(reference) nests too deeply (a cycle?)")
                } else {
                    errors += validate(value, against: target, at: path, depth: depth + 1)
                }
            } else {
                errors.append("\(path): $ref \(reference) does not resolve in the document")
            }
        }

        if let types = schema["type"] {
            let names = (types as? [Any])?.compactMap { $0 as? String } ?? [types as? String].compactMap { $0 }
            if !names.contains(where: { json.hasType($0) }) {
                let expected = names.count == 1 ? names[0] : "one of " + names.joined(separator: ", ")
                errors.append("\(path): is \(json.typeName), not \(expected)")
            }
        }
        if let options = schema["enum"] as? [Any] {
            if !options.contains(where: { JSONValue($0).map(json.isEqual) ?? false }) {
                errors.append("\(path): \(json.summary) is not one of \(options.compactMap { JSONValue($0)?.summary }.joined(separator: ", "))")
            }
        }
        if let constant = schema["const"] {
            if !(JSONValue(constant).map(json.isEqual) ?? false) {
                errors.append("\(path): \(json.summary) is not \(JSONValue(constant)?.summary ?? "the constant")")
            }
        }

        switch json {
        case .number(let number):
            errors += numberErrors(number, schema: schema, path: path)
        case .string(let string):
            errors += stringErrors(string, schema: schema, path: path)
        case .array(let array):
            errors += arrayErrors(array, schema: schema, path: path, depth: depth)
        case .object(let object):
            errors += objectErrors(object, schema: schema, path: path, depth: depth)
        case .null, .bool:
            break
        }

        errors += combinatorErrors(value, schema: schema, path: path, depth: depth)
        return errors
    }

    private func numberErrors(_ number: JSONNumber, schema: [String: Any], path: String) -> [String] {
        var errors: [String] = []
        func bound(_ keyword: String) -> JSONNumber? {
            guard let bound = schema[keyword], case .number(let limit)? = JSONValue(bound) else { return nil }
            return limit
        }
        if let limit = bound("minimum"), number < limit {
            errors.append("\(path): \(number) is less than the minimum \(limit)")
        }
        if let limit = bound("maximum"), limit < number {
            errors.append("\(path): \(number) is more than the maximum \(limit)")
        }
        if let limit = bound("exclusiveMinimum"), !(limit < number) {
            errors.append("\(path): \(number) is not more than the exclusive minimum \(limit)")
        }
        if let limit = bound("exclusiveMaximum"), !(number < limit) {
            errors.append("\(path): \(number) is not less than the exclusive maximum \(limit)")
        }
        if let divisor = bound("multipleOf"), divisor.double > 0 {
            let isMultiple: Bool
            if let value = number.integer, let step = divisor.integer {
                isMultiple = value % step == 0
            } else {
                let quotient = number.double / divisor.double
                isMultiple = quotient.isFinite && abs(quotient - quotient.rounded()) < 1e-9
            }
            if !isMultiple { errors.append("\(path): \(number) is not a multiple of \(divisor)") }
        }
        return errors
    }

    private func stringErrors(_ string: String, schema: [String: Any], path: String) -> [String] {
        var errors: [String] = []
        // JSON Schema counts code points, not grapheme clusters or UTF-16 units.
        let length = string.unicodeScalars.count
        if let minimum = Self.count(schema["minLength"]), length < minimum {
            errors.append("\(path): has \(length) characters, fewer than minLength \(minimum)")
        }
        if let maximum = Self.count(schema["maxLength"]), length > maximum {
            errors.append("\(path): has \(length) characters, more than maxLength \(maximum)")
        }
        if let pattern = schema["pattern"] as? String {
            do {
                let expression = try NSRegularExpression(pattern: pattern)
                // Not anchored: a pattern matches when it matches anywhere, as in ECMA-262.
                let range = NSRange(string.startIndex..., in: string)
                if expression.firstMatch(in: string, range: range) == nil {
                    errors.append("\(path): \(JSONValue.string(string).summary) does not match the pattern \(pattern)")
                }
            } catch {
                errors.append("\(path): the pattern \(pattern) does not compile")
            }
        }
        return errors
    }

    private func arrayErrors(_ array: [Any], schema: [String: Any], path: String, depth: Int) -> [String] {
        var errors: [String] = []
        if let minimum = Self.count(schema["minItems"]), array.count < minimum {
            errors.append("\(path): has \(array.count) items, fewer than minItems \(minimum)")
        }
        if let maximum = Self.count(schema["maxItems"]), array.count > maximum {
            errors.append("\(path): has \(array.count) items, more than maxItems \(maximum)")
        }
        if let unique = schema["uniqueItems"] as? Bool, Self.isBoolean(schema["uniqueItems"]!), unique {
            let values = array.compactMap(JSONValue.init)
            outer: for i in values.indices {
                for j in values.indices where j > i && values[i].isEqual(values[j]) {
                    errors.append("\(path): items \(i) and \(j) are equal, and uniqueItems is true")
                    break outer
                }
            }
        }
        let prefix = schema["prefixItems"] as? [Any] ?? []
        for (index, itemSchema) in prefix.enumerated() where index < array.count {
            errors += validate(array[index], against: itemSchema, at: "\(path)[\(index)]", depth: 0)
        }
        if let itemSchema = schema["items"] {
            for index in array.indices where index >= prefix.count {
                errors += validate(array[index], against: itemSchema, at: "\(path)[\(index)]", depth: 0)
            }
        }
        return errors
    }

    private func objectErrors(_ object: [String: Any], schema: [String: Any], path: String, depth: Int) -> [String] {
        var errors: [String] = []
        if let minimum = Self.count(schema["minProperties"]), object.count < minimum {
            errors.append("\(path): has \(object.count) properties, fewer than minProperties \(minimum)")
        }
        if let maximum = Self.count(schema["maxProperties"]), object.count > maximum {
            errors.append("\(path): has \(object.count) properties, more than maxProperties \(maximum)")
        }
        for name in (schema["required"] as? [Any] ?? []).compactMap({ $0 as? String }) where object[name] == nil {
            errors.append("\(Self.join(path, name)): is required")
        }
        let properties = schema["properties"] as? [String: Any] ?? [:]
        var patterns: [(NSRegularExpression, Any)] = []
        for (pattern, propertySchema) in schema["patternProperties"] as? [String: Any] ?? [:] {
            if let expression = try? NSRegularExpression(pattern: pattern) {
                patterns.append((expression, propertySchema))
            } else {
                errors.append("\(path): the property pattern \(pattern) does not compile")
            }
        }
        // Sorted so that the messages come in the same order every run.
        for name in object.keys.sorted() {
            let value = object[name]!
            let at = Self.join(path, name)
            var evaluated = false
            if let propertySchema = properties[name] {
                evaluated = true
                errors += validate(value, against: propertySchema, at: at, depth: 0)
            }
            let range = NSRange(name.startIndex..., in: name)
            for (expression, propertySchema) in patterns where expression.firstMatch(in: name, range: range) != nil {
                evaluated = true
                errors += validate(value, against: propertySchema, at: at, depth: 0)
            }
            if !evaluated, let additional = schema["additionalProperties"] {
                if let allowed = additional as? Bool, Self.isBoolean(additional) {
                    if !allowed { errors.append("\(at): is not an allowed property") }
                } else {
                    errors += validate(value, against: additional, at: at, depth: 0)
                }
            }
        }
        return errors
    }

    private func combinatorErrors(_ value: Any, schema: [String: Any], path: String, depth: Int) -> [String] {
        var errors: [String] = []
        if let all = schema["allOf"] as? [Any] {
            for subschema in all {
                errors += validate(value, against: subschema, at: path, depth: depth)
            }
        }
        if let any = schema["anyOf"] as? [Any] {
            let results = any.map { validate(value, against: $0, at: path, depth: depth) }
            if !results.contains(where: \.isEmpty) {
                errors.append("\(path): matches none of anyOf (\(Self.describe(results)))")
            }
        }
        if let one = schema["oneOf"] as? [Any] {
            let results = one.map { validate(value, against: $0, at: path, depth: depth) }
            let matching = results.indices.filter { results[$0].isEmpty }
            if matching.isEmpty {
                errors.append("\(path): matches none of oneOf (\(Self.describe(results)))")
            } else if matching.count > 1 {
                errors.append("\(path): matches \(matching.count) of oneOf (branches \(matching.map(String.init).joined(separator: ", "))), not exactly one")
            }
        }
        if let negated = schema["not"], validate(value, against: negated, at: path, depth: depth).isEmpty {
            errors.append("\(path): matches a schema under not")
        }
        if let condition = schema["if"] {
            if validate(value, against: condition, at: path, depth: depth).isEmpty {
                if let then = schema["then"] { errors += validate(value, against: then, at: path, depth: depth) }
            } else if let otherwise = schema["else"] {
                errors += validate(value, against: otherwise, at: path, depth: depth)
            }
        }
        return errors
    }

    // MARK: - Helpers

    private func resolvingReference(_ node: Any) -> Any {
        var node = node
        var hops = 0
        while let reference = (node as? [String: Any])?["$ref"] as? String, hops < Self.referenceDepthMax,
            let target = resolve(reference)
        {
            node = target
            hops += 1
        }
        return node
    }

    private static func schema(in content: Any?, contentType: String) -> Any? {
        guard let content = content as? [String: Any] else { return nil }
        let wanted = mediaType(contentType)
        guard let key = content.keys.first(where: { mediaType($0) == wanted }) else { return nil }
        return (content[key] as? [String: Any])?["schema"]
    }

    private static func mediaType(_ text: String) -> String {
        String(text.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    private static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    }

    private static func isTemplateParameter(_ segment: String) -> Bool {
        segment.hasPrefix("{") && segment.hasSuffix("}") && segment.count > 2
    }

    private static func escapePointerToken(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// `$.items` for a plain name, `$["a b"]` for any other.
    private static func join(_ path: String, _ name: String) -> String {
        let plain = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }
        return plain ? "\(path).\(name)" : "\(path)[\(JSONValue.string(name).summary)]"
    }

    /// A non-negative integer keyword value (`minLength`, `maxItems`, …).
    private static func count(_ value: Any?) -> Int? {
        guard let value, case .number(let number)? = JSONValue(value), let integer = number.integer, integer >= 0 else {
            return nil
        }
        return Int(integer)
    }

    private static func isBoolean(_ value: Any) -> Bool {
        if case .bool? = JSONValue(value) { return true }
        return false
    }

    private static func describe(_ results: [[String]]) -> String {
        results.enumerated().map { index, errors in
            "branch \(index): " + (errors.first ?? "valid") + (errors.count > 1 ? " and \(errors.count - 1) more" : "")
        }.joined(separator: "; ")
    }
}

extension JSONSchemaValidator {
    /// A JSON number: an integer when it has no fraction and fits in 64 bits, compared exactly then.
    struct JSONNumber: Comparable, Sendable, CustomStringConvertible {
        var double: Double
        var integer: Int64?

        init(integer: Int64) {
            self.integer = integer
            double = Double(integer)
        }

        init(double: Double) {
            self.double = double
            // Int64(exactly:) is nil for fractions, infinities, NaN and values past Int64's range.
            integer = Int64(exactly: double)
        }

        static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
            if let left = lhs.integer, let right = rhs.integer { return left < right }
            return lhs.double < rhs.double
        }

        static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
            if let left = lhs.integer, let right = rhs.integer { return left == right }
            return lhs.double == rhs.double
        }

        var description: String { integer.map(String.init) ?? String(double) }
    }

    /// One JSON value, classified; booleans are never numbers.
    enum JSONValue {
        case null
        case bool(Bool)
        case number(JSONNumber)
        case string(String)
        case array([Any])
        case object([String: Any])

        /// Nil when `value` is not a JSON value (a `Date`, a custom struct, …).
        init?(_ value: Any) {
            // Native Swift values first, by their exact type: an `NSNumber` holding 1 casts to `Bool`
            // with `as?`, and `Int8` bridges to the same `objCType` as a boolean.
            let valueType = type(of: value)
            if valueType == Bool.self, let flag = value as? Bool {
                self = .bool(flag)
                return
            }
            if let integer = value as? any BinaryInteger, valueType is any BinaryInteger.Type {
                if let exact = Int64(exactly: integer) {
                    self = .number(JSONNumber(integer: exact))
                } else {
                    self = .number(JSONNumber(double: Double(integer)))
                }
                return
            }
            if let floating = value as? any BinaryFloatingPoint, valueType is any BinaryFloatingPoint.Type {
                self = .number(JSONNumber(double: Double(floating)))
                return
            }
            if let decimal = value as? Decimal, valueType == Decimal.self {
                self = .number(JSONNumber(double: NSDecimalNumber(decimal: decimal).doubleValue))
                return
            }
            if let string = value as? String {
                self = .string(string)
                return
            }
            if value is NSNull {
                self = .null
                return
            }
            if let number = value as? NSNumber {
                if Self.isBooleanObject(number) {
                    self = .bool(number.boolValue)
                    return
                }
                switch String(cString: number.objCType) {
                case "f", "d":
                    self = .number(JSONNumber(double: number.doubleValue))
                case "Q", "L", "I", "S", "C":
                    let unsigned = number.uint64Value
                    self = .number(unsigned <= UInt64(Int64.max) ? JSONNumber(integer: Int64(unsigned)) : JSONNumber(double: Double(unsigned)))
                default:
                    self = .number(JSONNumber(integer: number.int64Value))
                }
                return
            }
            if let array = value as? [Any] {
                self = .array(array)
                return
            }
            if let object = value as? [String: Any] {
                self = .object(object)
                return
            }
            // An Optional in an `Any` (from a `[String: Any?]` literal): nil is null, else its payload.
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                if let payload = mirror.children.first?.value {
                    self.init(payload)
                } else {
                    self = .null
                }
                return
            }
            return nil
        }

        /// Whether an `NSNumber` is a boolean (`kCFBooleanTrue` / `kCFBooleanFalse`), as `JSONSerialization` gives for `true` and `false`.
        private static func isBooleanObject(_ number: NSNumber) -> Bool {
            #if canImport(Darwin)
            return CFGetTypeID(number) == CFBooleanGetTypeID()
            #else
            // swift-corelibs-foundation's booleans are a subclass with objCType "c"; an `NSNumber` made
            // from an `Int8` has "c" too but is of the plain class.
            return String(cString: number.objCType) == "c" && type(of: number) != NSNumber.self
            #endif
        }

        var typeName: String {
            switch self {
            case .null: "null"
            case .bool: "boolean"
            case .number(let number): number.integer != nil ? "integer" : "number"
            case .string: "string"
            case .array: "array"
            case .object: "object"
            }
        }

        /// Whether the value is of the JSON Schema type `name`; 1.0 is an integer, as the spec says.
        func hasType(_ name: String) -> Bool {
            switch (self, name) {
            case (.null, "null"), (.bool, "boolean"), (.number, "number"), (.string, "string"), (.array, "array"), (.object, "object"):
                true
            case (.number(let number), "integer"):
                number.integer != nil || (number.double.isFinite && number.double == number.double.rounded())
            default:
                false
            }
        }

        /// JSON equality: numbers by value (1 == 1.0), objects regardless of key order.
        func isEqual(_ other: JSONValue) -> Bool {
            switch (self, other) {
            case (.null, .null):
                return true
            case (.bool(let left), .bool(let right)):
                return left == right
            case (.number(let left), .number(let right)):
                return left == right
            case (.string(let left), .string(let right)):
                return left == right
            case (.array(let left), .array(let right)):
                guard left.count == right.count else { return false }
                return zip(left, right).allSatisfy { pair in
                    guard let first = JSONValue(pair.0), let second = JSONValue(pair.1) else { return false }
                    return first.isEqual(second)
                }
            case (.object(let left), .object(let right)):
                guard Set(left.keys) == Set(right.keys) else { return false }
                return left.allSatisfy { key, value in
                    guard let first = JSONValue(value), let second = right[key].flatMap(JSONValue.init) else { return false }
                    return first.isEqual(second)
                }
            default:
                return false
            }
        }

        /// A short rendering for messages.
        var summary: String {
            switch self {
            case .null: return "null"
            case .bool(let flag): return flag ? "true" : "false"
            case .number(let number): return number.description
            case .string(let string):
                let shown = string.unicodeScalars.count > 60 ? String(string.unicodeScalars.prefix(60)) + "…" : string
                let escaped = shown.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                return "\"\(escaped)\""
            case .array(let array): return "an array of \(array.count)"
            case .object(let object): return "an object of \(object.count) properties"
            }
        }
    }
}
