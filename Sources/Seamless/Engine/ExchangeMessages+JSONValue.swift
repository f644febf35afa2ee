/// The exchange messages read from a parsed ``JSONValue`` and written to one by hand: every round trip reads
/// and writes a request and a response, and a bulk page holds thousands of records, where `JSONDecoder` and
/// `Encoder` containers cost several times the parse and the serialisation. Same values and bytes as the
/// `Codable` conformances (the tests compare both ways over the wire examples and broken variants of them).
extension ExchangeRequest: JSONValueDecodable, JSONValueEncodable {
    /// As `init(from:)`: `consentIDs` and `subjects` default to empty, `strict` to false.
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        self.init(
            resource: try object.string("resource"), fields: try object.strings("fields"),
            selector: try object.value("selector"), purpose: try object.string("purpose"),
            legalBasis: try object.optionalRawValue("legalBasis"),
            consentIDs: try object.optionalStrings("consentIDs") ?? [],
            subjects: try object.optionalStrings("subjects") ?? [],
            dataLifeDays: try object.optionalInt("dataLifeDays"),
            strict: try object.optionalBool("strict") ?? false, after: try object.optionalString("after"),
            limit: try object.optionalInt("limit"))
    }

    /// Empty `consentIDs` and `subjects` and a false `strict` are written, as the synthesised encoder does.
    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "resource": .string(resource), "fields": .strings(fields), "selector": selector.jsonValue,
            "purpose": .string(purpose), "consentIDs": .strings(consentIDs), "subjects": .strings(subjects),
            "strict": .bool(strict),
        ]
        members["legalBasis"] = legalBasis.map { .string($0.rawValue) }
        members["dataLifeDays"] = dataLifeDays.map(JSONValue.integer)
        members["after"] = after.map(JSONValue.string)
        members["limit"] = limit.map(JSONValue.integer)
        return .object(members)
    }
}

extension RecordSelector: JSONValueDecodable, JSONValueEncodable {
    private static let memberNames: Set<String> = ["keys", "subjects", "field", "equals", "all", "changedSince"]

    /// As `init(from:)`: the selector's members present (null counts as present, other members do not) say
    /// which case it is.
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        let present = Set(object.members.keys.filter(Self.memberNames.contains))
        if present == ["keys"] {
            self = .keys(try object.strings("keys"))
        } else if present == ["subjects"] {
            self = .subjects(try object.strings("subjects"))
        } else if present == ["field", "equals"] {
            self = .fieldEquals(field: try object.string("field"), value: try object.string("equals"))
        } else if present == ["all"], try object.bool("all") {
            self = .all
        } else if present == ["changedSince"] {
            self = .changedSince(try object.int("changedSince"))
        } else {
            throw JSONReadError(
                path: object.path,
                reason:
                    #"a selector is exactly one of {"keys":[…]}, {"subjects":[…]}, {"field":…,"equals":…}, {"all":true} or {"changedSince":N}"#
            )
        }
    }

    var jsonValue: JSONValue {
        switch self {
        case .keys(let keys): ["keys": .strings(keys)]
        case .subjects(let subjects): ["subjects": .strings(subjects)]
        case .fieldEquals(let field, let value): ["field": .string(field), "equals": .string(value)]
        case .all: ["all": true]
        case .changedSince(let version): ["changedSince": .integer(version)]
        }
    }
}

extension ResponseRecord: JSONValueDecodable, JSONValueEncodable {
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        self.init(
            key: try object.string("key"), subject: try object.optionalString("subject"),
            fields: try object.jsonObject("fields"), version: try object.optionalInt("version"))
    }

    var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["key": .string(key), "fields": .object(fields)]
        members["subject"] = subject.map(JSONValue.string)
        members["version"] = version.map(JSONValue.integer)
        return .object(members)
    }
}

extension ExchangeRefusal: JSONValueDecodable, JSONValueEncodable {
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        self.init(code: try object.string("code"), reason: try object.string("reason"))
    }

    var jsonValue: JSONValue {
        ["code": .string(code), "reason": .string(reason)]
    }
}

extension ExchangeResponse: JSONValueDecodable, JSONValueEncodable {
    /// As the synthesised `init(from:)`: `records` is required, even when empty.
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        self.init(
            requestHash: try object.optionalString("requestHash"), decision: try object.optionalValue("decision"),
            refusal: try object.optionalValue("refusal"), records: try object.array("records"),
            next: try object.optionalString("next"), auditSequence: try object.optionalInt("auditSequence"))
    }

    var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["records": .array(records.map(\.jsonValue))]
        members["requestHash"] = requestHash.map(JSONValue.string)
        members["decision"] = decision?.jsonValue
        members["refusal"] = refusal?.jsonValue
        members["next"] = next.map(JSONValue.string)
        members["auditSequence"] = auditSequence.map(JSONValue.integer)
        return .object(members)
    }
}
