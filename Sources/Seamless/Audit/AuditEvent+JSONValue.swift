/// Audit events read from a parsed ``JSONValue`` and written to one by hand. Replay reads hundreds of thousands
/// of events, and `JSONDecoder`'s generic machinery costs about four times the parse itself; every decision
/// appends an event, and `Encoder` containers cost more than the canonical serialisation. Same values as the
/// `Codable` conformances (the tests decode and encode every example both ways and compare).
extension AuditEvent: JSONValueDecodable, JSONValueEncodable {
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
        request = try object.optionalValue("request")
        decision = try object.optionalValue("decision")
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

    /// Writes the event's canonical JSON without building the object first: the members in canonical order
    /// (their names are ASCII, so byte order is UTF-16 order), only those that are set. Every append writes
    /// one; the tests compare it with what `JSONValueEncoder` makes of the `Encodable` conformance.
    func writeCanonical(to output: inout [UInt8]) {
        var first = true
        func key(_ name: StaticString) {
            output.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            output.append(contentsOf: "\":".utf8)
        }
        func string(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            CanonicalJSON.writeString(value, to: &output)
        }
        func integer(_ name: StaticString, _ value: Int?) {
            guard let value else { return }
            key(name)
            CanonicalJSON.writeNumber(Double(value), to: &output)
        }
        func value(_ name: StaticString, _ value: JSONValue?) {
            guard let value else { return }
            key(name)
            CanonicalJSON.write(value, to: &output)
        }
        string("agreementID", agreementID)
        string("agreementState", agreementState?.rawValue)
        string("at", at.rfc3339)
        string("catalogRevision", catalogRevision)
        string("checkpointRoot", checkpointRoot)
        integer("checkpointSize", checkpointSize)
        string("consentID", consentID)
        string("consentState", consentState?.rawValue)
        integer("dataLifeDays", dataLifeDays)
        value("decision", decision?.jsonValue)
        string("expiresAt", expiresAt?.rfc3339)
        value("fields", fields.map(JSONValue.strings))
        string("keyID", keyID)
        string("kind", kind.rawValue)
        string("node", node)
        string("peer", peer)
        string("previous", previous)
        string("previousKeyID", previousKeyID)
        string("purpose", purpose)
        string("reason", reason)
        integer("recordCount", recordCount)
        value("request", request?.jsonValue)
        string("requestHash", requestHash)
        string("resource", resource)
        string("responseHash", responseHash)
        integer("sequence", sequence)
        output.append(UInt8(ascii: "}"))
    }

    /// The event as JSON, read back from ``writeCanonical(to:)``, the one writer of its members (nothing
    /// on a hot path asks for it: entries are written directly).
    var jsonValue: JSONValue {
        (try? JSONParser().parse(entry)) ?? .object([:])
    }
}

extension AccessRequest: JSONValueDecodable, JSONValueEncodable {
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        self.init(
            requester: try object.string("requester"), resource: try object.string("resource"),
            fields: try object.strings("fields"), purpose: try object.string("purpose"),
            legalBasis: try object.optionalRawValue("legalBasis"), consentIDs: try object.strings("consentIDs"),
            subjects: try object.strings("subjects"), dataLifeDays: try object.optionalInt("dataLifeDays"),
            strict: try object.bool("strict"), at: try object.timestamp("at"))
    }

    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "requester": .string(requester), "resource": .string(resource), "fields": .strings(fields),
            "purpose": .string(purpose), "consentIDs": .strings(consentIDs), "subjects": .strings(subjects),
            "strict": .bool(strict), "at": .string(at.rfc3339),
        ]
        members["legalBasis"] = legalBasis.map { .string($0.rawValue) }
        members["dataLifeDays"] = dataLifeDays.map(JSONValue.integer)
        return .object(members)
    }
}

extension PolicyDecision: JSONValueDecodable, JSONValueEncodable {
    /// As `init(from:)`: a usable `granted` wins, but then `denied` must be absent (not even null).
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        let basis: DecisionBasis = try object.value("basis")
        if let grant: Grant = try object.optionalValue("granted") {
            guard object.members["denied"] == nil else {
                throw JSONReadError(path: "\(object.path).denied", reason: "a decision is granted or denied, not both")
            }
            self.init(outcome: .granted(grant), basis: basis)
        } else if let denial: PolicyDenial = try object.optionalValue("denied") {
            self.init(outcome: .denied(denial), basis: basis)
        } else {
            throw JSONReadError(path: "\(object.path).granted", reason: "a decision is granted or denied")
        }
    }

    var jsonValue: JSONValue {
        switch outcome {
        case .granted(let grant): ["basis": basis.jsonValue, "granted": grant.jsonValue]
        case .denied(let denial): ["basis": basis.jsonValue, "denied": denial.jsonValue]
        }
    }
}

extension DecisionBasis: JSONValueDecodable, JSONValueEncodable {
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        self.init(
            catalogRevision: try object.string("catalogRevision"), purpose: try object.string("purpose"),
            matchedPurpose: try object.optionalString("matchedPurpose"),
            legalBasis: try object.optionalRawValue("legalBasis"), consentIDs: try object.strings("consentIDs"),
            agreementID: try object.optionalString("agreementID"))
    }

    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "catalogRevision": .string(catalogRevision), "purpose": .string(purpose),
            "consentIDs": .strings(consentIDs),
        ]
        members["matchedPurpose"] = matchedPurpose.map(JSONValue.string)
        members["legalBasis"] = legalBasis.map { .string($0.rawValue) }
        members["agreementID"] = agreementID.map(JSONValue.string)
        return .object(members)
    }
}

extension Grant: JSONValueDecodable, JSONValueEncodable {
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        self.init(
            fields: try object.strings("fields"), withheld: try object.strings("withheld"),
            dataLifeDays: try object.int("dataLifeDays"))
    }

    var jsonValue: JSONValue {
        ["fields": .strings(fields), "withheld": .strings(withheld), "dataLifeDays": .integer(dataLifeDays)]
    }
}

extension PolicyDenial: JSONValueDecodable, JSONValueEncodable {
    init(json: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(json, path: "$")
        let name = try object.string("code")
        guard let code = Code(name: name) else {
            throw JSONReadError(path: "\(object.path).code", reason: "unknown denial code '\(name)'")
        }
        self.init(code, try object.string("reason"))
    }

    var jsonValue: JSONValue {
        ["code": .string(code.description), "reason": .string(reason)]
    }
}
