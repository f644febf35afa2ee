/// Audit events read from a parsed ``JSONValue`` by hand. Replay reads hundreds of thousands of events, and
/// `JSONDecoder`'s generic machinery costs about four times the parse itself; this reader gives the same
/// values as the `Decodable` conformances (the tests decode every example both ways and compare).
extension AuditEvent {
    /// Reads an event from the parsed entry `json`.
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        self.init(kind: try object.rawValue("kind"), at: try object.timestamp("at"), node: try object.string("node"))
        sequence = try object.optionalInt("sequence")
        previous = try object.optionalString("previous")
        peer = try object.optionalString("peer")
        requestHash = try object.optionalString("requestHash")
        resource = try object.optionalString("resource")
        purpose = try object.optionalString("purpose")
        if let request = try object.optionalObject("request") { self.request = try AccessRequest(request) }
        if let decision = try object.optionalObject("decision") { self.decision = try PolicyDecision(decision) }
        fields = try object.optionalStrings("fields")
        recordCount = try object.optionalInt("recordCount")
        responseHash = try object.optionalString("responseHash")
        dataLifeDays = try object.optionalInt("dataLifeDays")
        expiresAt = try object.optionalTimestamp("expiresAt")
        reason = try object.optionalString("reason")
        consentID = try object.optionalString("consentID")
        consentState = try object.optionalRawValue("consentState")
        agreementID = try object.optionalString("agreementID")
        agreementState = try object.optionalRawValue("agreementState")
        catalogRevision = try object.optionalString("catalogRevision")
        keyID = try object.optionalString("keyID")
        previousKeyID = try object.optionalString("previousKeyID")
        checkpointSize = try object.optionalInt("checkpointSize")
        checkpointRoot = try object.optionalString("checkpointRoot")
    }
}

extension AccessRequest {
    fileprivate init(_ object: JSONObjectReader) throws(JSONReadError) {
        self.init(
            requester: try object.string("requester"), resource: try object.string("resource"),
            fields: try object.strings("fields"), purpose: try object.string("purpose"),
            legalBasis: try object.optionalRawValue("legalBasis"), consentIDs: try object.strings("consentIDs"),
            subjects: try object.strings("subjects"), dataLifeDays: try object.optionalInt("dataLifeDays"),
            strict: try object.bool("strict"), at: try object.timestamp("at"))
    }
}

extension PolicyDecision {
    fileprivate init(_ object: JSONObjectReader) throws(JSONReadError) {
        guard let basis = try object.optionalObject("basis") else { throw object.missing("basis") }
        let decisionBasis = DecisionBasis(
            catalogRevision: try basis.string("catalogRevision"), purpose: try basis.string("purpose"),
            matchedPurpose: try basis.optionalString("matchedPurpose"),
            legalBasis: try basis.optionalRawValue("legalBasis"), consentIDs: try basis.strings("consentIDs"),
            agreementID: try basis.optionalString("agreementID"))
        switch (try object.optionalObject("granted"), try object.optionalObject("denied")) {
        case (let grant?, nil):
            let granted = Grant(
                fields: try grant.strings("fields"), withheld: try grant.strings("withheld"),
                dataLifeDays: try grant.int("dataLifeDays"))
            self.init(outcome: .granted(granted), basis: decisionBasis)
        case (nil, let denial?):
            let name = try denial.string("code")
            guard let code = PolicyDenial.Code(name: name) else {
                throw JSONReadError(path: denial.path + ".code", reason: "unknown denial code '\(name)'")
            }
            self.init(outcome: .denied(PolicyDenial(code, try denial.string("reason"))), basis: decisionBasis)
        case (.some, .some):
            throw JSONReadError(path: object.path, reason: "a decision is granted or denied, not both")
        case (nil, nil):
            throw object.missing("granted")
        }
    }
}

/// A member of a parsed JSON document that is missing or of the wrong type.
struct JSONReadError: Error, Sendable, CustomStringConvertible {
    /// Where, as a JSON path.
    var path: String
    /// What is wrong.
    var reason: String

    var description: String { "\(path): \(reason)" }
}

/// Typed access to the members of one parsed JSON object. Absent and null members read as nil, as with
/// `decodeIfPresent`; unknown members are ignored, as with `JSONDecoder`.
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

    func optionalInt(_ key: String) throws(JSONReadError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.integerValue else { throw wrongType(key, "an integer") }
        return Int(number)
    }

    func int(_ key: String) throws(JSONReadError) -> Int {
        guard let number = try optionalInt(key) else { throw missing(key) }
        return number
    }

    func bool(_ key: String) throws(JSONReadError) -> Bool {
        guard let value = value(key) else { throw missing(key) }
        guard case .bool(let flag) = value else { throw wrongType(key, "true or false") }
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

    func optionalObject(_ key: String) throws(JSONReadError) -> JSONObjectReader? {
        guard let value = value(key) else { return nil }
        return try JSONObjectReader(value, path: "\(path).\(key)")
    }
}
