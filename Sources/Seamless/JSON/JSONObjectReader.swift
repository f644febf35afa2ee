/// A member of a parsed JSON document that is missing or of the wrong type.
struct JSONReadError: Error, Sendable, CustomStringConvertible {
    /// Where, as a JSON path.
    var path: String
    /// What is wrong.
    var reason: String

    var description: String { "\(path): \(reason)" }

    /// The error of a value read on its own (paths from `$`), placed at `location` in the document holding it.
    func within(_ location: String) -> JSONReadError {
        JSONReadError(path: location + path.dropFirst(), reason: reason)
    }
}

/// Typed access to the members of one parsed JSON object, with the rules of `JSONDecoder` and the synthesised
/// `Decodable` conformances: absent and null members read as nil, as with `decodeIfPresent`; unknown members
/// are ignored.
struct JSONObjectReader {
    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(JSONReadError) {
        guard case .object(let members) = value else { throw JSONReadError(path: path, reason: "must be an object") }
        self.members = members
        self.path = path
    }

    func missing(_ key: String) -> JSONReadError {
        JSONReadError(path: "\(path).\(key)", reason: "is required")
    }

    private func value(_ key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    private func wrongType(_ key: String, _ expected: String) -> JSONReadError {
        JSONReadError(path: "\(path).\(key)", reason: "must be \(expected)")
    }

    func optionalString(_ key: String) throws(JSONReadError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, "a string") }
        return text
    }

    func string(_ key: String) throws(JSONReadError) -> String {
        guard let text = try optionalString(key) else { throw missing(key) }
        return text
    }

    /// An integer member. `JSONDecoder` reads `1.0` and `1e2` as integers too, and refuses `1.5`. Only
    /// magnitudes below 2^53 are read: beyond, a double no longer tells `9007199254740993` from `…992`,
    /// which `JSONDecoder` (reading the digits) does.
    func optionalInt(_ key: String) throws(JSONReadError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value, number.rounded(.towardZero) == number, number.magnitude < 0x1p53
        else { throw wrongType(key, "an integer") }
        return Int(number)
    }

    func int(_ key: String) throws(JSONReadError) -> Int {
        guard let number = try optionalInt(key) else { throw missing(key) }
        return number
    }

    func optionalBool(_ key: String) throws(JSONReadError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(key, "true or false") }
        return flag
    }

    func bool(_ key: String) throws(JSONReadError) -> Bool {
        guard let flag = try optionalBool(key) else { throw missing(key) }
        return flag
    }

    func optionalStrings(_ key: String) throws(JSONReadError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw wrongType(key, "an array of strings") }
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for element in elements {
            guard case .string(let text) = element else { throw wrongType(key, "an array of strings") }
            strings.append(text)
        }
        return strings
    }

    func strings(_ key: String) throws(JSONReadError) -> [String] {
        guard let strings = try optionalStrings(key) else { throw missing(key) }
        return strings
    }

    func optionalTimestamp(_ key: String) throws(JSONReadError) -> Timestamp? {
        guard let text = try optionalString(key) else { return nil }
        guard let timestamp = Timestamp(rfc3339: text) else {
            throw wrongType(key, "a UTC timestamp like 2026-11-02T09:30:00Z")
        }
        return timestamp
    }

    func timestamp(_ key: String) throws(JSONReadError) -> Timestamp {
        guard let timestamp = try optionalTimestamp(key) else { throw missing(key) }
        return timestamp
    }

    func optionalRawValue<T: RawRepresentable<String>>(_ key: String) throws(JSONReadError) -> T? {
        guard let text = try optionalString(key) else { return nil }
        guard let value = T(rawValue: text) else { throw wrongType(key, "a known \(T.self), not '\(text)'") }
        return value
    }

    func rawValue<T: RawRepresentable<String>>(_ key: String) throws(JSONReadError) -> T {
        guard let value: T = try optionalRawValue(key) else { throw missing(key) }
        return value
    }

    /// The members of an object member, as they are: a `[String: JSONValue]` property.
    func jsonObject(_ key: String) throws(JSONReadError) -> [String: JSONValue] {
        guard let value = value(key) else { throw missing(key) }
        guard case .object(let members) = value else { throw wrongType(key, "an object") }
        return members
    }

    func optionalValue<T: JSONValueDecodable>(_ key: String) throws(JSONReadError) -> T? {
        guard let value = value(key) else { return nil }
        do throws(JSONReadError) {
            return try T(json: value)
        } catch {
            throw error.within("\(path).\(key)")
        }
    }

    func value<T: JSONValueDecodable>(_ key: String) throws(JSONReadError) -> T {
        guard let value: T = try optionalValue(key) else { throw missing(key) }
        return value
    }

    func array<T: JSONValueDecodable>(_ key: String) throws(JSONReadError) -> [T] {
        guard let value = value(key) else { throw missing(key) }
        guard case .array(let elements) = value else { throw wrongType(key, "an array") }
        var values: [T] = []
        values.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do throws(JSONReadError) {
                values.append(try T(json: element))
            } catch {
                throw error.within("\(path).\(key)[\(index)]")
            }
        }
        return values
    }
}
