import SeamlessCrypto

/// One entry of a node's audit log. Events carry ids, codes and hashes — never a record's field values —
/// so the log can be handed to auditors without disclosing what it protects.
///
/// Which members an event has depends on its ``Kind``; ``validationIssues()`` names the missing ones.
public struct AuditEvent: Sendable, Hashable, Codable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A provider received a request (`peer` = requester).
        case requestReceived = "request-received"
        /// A provider refused a signed request before deciding it (`reason`: the refusal code, e.g.
        /// `replayed-nonce`, `wrong-audience`, `bad-request`).
        case requestRefused = "request-refused"
        /// A provider decided a request: `request` and `decision` allow the decision to be made again.
        case decision
        /// A provider disclosed records (`fields`, `recordCount`, `responseHash`).
        case disclosure
        /// A consumer received records for a purpose, to be kept `dataLifeDays` (until `expiresAt`).
        case receipt
        /// A consumer used received data (`requestHash` of the receipt) for `purpose`.
        case use
        /// Received data was deleted (`reason`: `data-life-ended` or `consent-withdrawn`).
        case purge
        /// A consent was recorded or changed state.
        case consentStatus = "consent-status"
        /// An agreement changed state.
        case agreementTransition = "agreement-transition"
        /// The node's catalog got a new revision.
        case catalogRevision = "catalog-revision"
        /// The node's signing key changed.
        case keyRotation = "key-rotation"
        /// The node witnessed (cosigned) a peer's checkpoint.
        case checkpointWitnessed = "checkpoint-witnessed"
    }

    /// The entry's position in the log, set by ``AuditLog`` when it appends the event.
    public var sequence: Int?
    /// The leaf hash (hex) of the entry before it, set by ``AuditLog``: changing, dropping or reordering an
    /// entry breaks this chain at the very next entry, so a verifier names the first bad entry exactly.
    public var previous: String?
    /// What happened.
    public var kind: Kind
    /// When.
    public var at: Timestamp
    /// The node whose log this is.
    public var node: String
    /// The other node involved.
    public var peer: String?
    /// `sha256:<hex>` of the request envelope bytes, binding request, decision, disclosure and receipt.
    public var requestHash: String?
    /// The resource.
    public var resource: String?
    /// The purpose.
    public var purpose: String?
    /// The request as decided (decision events).
    public var request: AccessRequest?
    /// The decision with the inputs it relied on (decision events).
    public var decision: PolicyDecision?
    /// Field names disclosed or received.
    public var fields: [String]?
    /// How many records.
    public var recordCount: Int?
    /// `sha256:<hex>` of the response envelope bytes.
    public var responseHash: String?
    /// How long the data may be kept.
    public var dataLifeDays: Int?
    /// When received data must be gone.
    public var expiresAt: Timestamp?
    /// A reason code (purge: `data-life-ended`, `consent-withdrawn`).
    public var reason: String?
    /// The consent concerned.
    public var consentID: String?
    /// Its new state.
    public var consentState: ConsentState?
    /// The agreement concerned.
    public var agreementID: String?
    /// Its new state.
    public var agreementState: AgreementState?
    /// The catalog revision concerned.
    public var catalogRevision: String?
    /// The new key id (key rotation).
    public var keyID: String?
    /// The previous key id (key rotation).
    public var previousKeyID: String?
    /// The witnessed checkpoint's size.
    public var checkpointSize: Int?
    /// The witnessed checkpoint's root, base64.
    public var checkpointRoot: String?

    /// Creates an event with only the common members; set the kind's members after.
    public init(kind: Kind, at: Timestamp, node: String) {
        self.kind = kind
        self.at = at
        self.node = node
    }

    /// The canonical JSON bytes that are the log entry.
    public var entry: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        writeCanonical(to: &output)
        return output
    }

    /// `sha256:` and the hex SHA-256 of `bytes`, the form hashes take in events.
    public static func hash(_ bytes: some Collection<UInt8>) -> String {
        "sha256:" + SeamlessHex.encode(Digest.sha256(bytes))
    }
}

extension AuditEvent {
    private enum CodingKeys: String, CodingKey {
        case sequence, previous, kind, at, node, peer, requestHash, resource, purpose, request, decision, fields
        case recordCount, responseHash, dataLifeDays, expiresAt, reason, consentID, consentState, agreementID
        case agreementState, catalogRevision, keyID, previousKeyID, checkpointSize, checkpointRoot
    }

    /// Decodes the members present rather than asking for each of the 27 in turn: an event has a handful,
    /// and replay decodes hundreds of thousands. Same result as the synthesised decoder (absent or null
    /// members are nil; `kind`, `at` and `node` are required).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var kind: Kind?
        var at: Timestamp?
        var node: String?
        for key in container.allKeys {
            switch key {
            case .sequence: sequence = try container.decodeIfPresent(Int.self, forKey: key)
            case .previous: previous = try container.decodeIfPresent(String.self, forKey: key)
            case .kind: kind = try container.decode(Kind.self, forKey: key)
            case .at: at = try container.decode(Timestamp.self, forKey: key)
            case .node: node = try container.decode(String.self, forKey: key)
            case .peer: peer = try container.decodeIfPresent(String.self, forKey: key)
            case .requestHash: requestHash = try container.decodeIfPresent(String.self, forKey: key)
            case .resource: resource = try container.decodeIfPresent(String.self, forKey: key)
            case .purpose: purpose = try container.decodeIfPresent(String.self, forKey: key)
            case .request: request = try container.decodeIfPresent(AccessRequest.self, forKey: key)
            case .decision: decision = try container.decodeIfPresent(PolicyDecision.self, forKey: key)
            case .fields: fields = try container.decodeIfPresent([String].self, forKey: key)
            case .recordCount: recordCount = try container.decodeIfPresent(Int.self, forKey: key)
            case .responseHash: responseHash = try container.decodeIfPresent(String.self, forKey: key)
            case .dataLifeDays: dataLifeDays = try container.decodeIfPresent(Int.self, forKey: key)
            case .expiresAt: expiresAt = try container.decodeIfPresent(Timestamp.self, forKey: key)
            case .reason: reason = try container.decodeIfPresent(String.self, forKey: key)
            case .consentID: consentID = try container.decodeIfPresent(String.self, forKey: key)
            case .consentState: consentState = try container.decodeIfPresent(ConsentState.self, forKey: key)
            case .agreementID: agreementID = try container.decodeIfPresent(String.self, forKey: key)
            case .agreementState: agreementState = try container.decodeIfPresent(AgreementState.self, forKey: key)
            case .catalogRevision: catalogRevision = try container.decodeIfPresent(String.self, forKey: key)
            case .keyID: keyID = try container.decodeIfPresent(String.self, forKey: key)
            case .previousKeyID: previousKeyID = try container.decodeIfPresent(String.self, forKey: key)
            case .checkpointSize: checkpointSize = try container.decodeIfPresent(Int.self, forKey: key)
            case .checkpointRoot: checkpointRoot = try container.decodeIfPresent(String.self, forKey: key)
            }
        }
        func required<T>(_ value: T?, _ key: CodingKeys) throws -> T {
            guard let value else {
                throw DecodingError.keyNotFound(
                    key,
                    DecodingError.Context(
                        codingPath: decoder.codingPath, debugDescription: "an audit event needs '\(key.rawValue)'"))
            }
            return value
        }
        self.kind = try required(kind, .kind)
        self.at = try required(at, .at)
        self.node = try required(node, .node)
    }
}

extension AuditEvent: ValidatableDocument {
    public static var documentName: String { "audit event" }

    /// The members each kind requires, and the forms of hashes and ids.
    public func validationIssues() -> [ValidationIssue] {
        var issues = IssueCollector()
        func require(_ present: Bool, _ member: String) {
            issues.require(
                present, "$.\(member)", "audit.member-required", "a \(kind.rawValue) event needs '\(member)'")
        }
        issues.require(NodeID.isValid(node), "$.node", "audit.bad-node", "'\(node)' is not a node id")
        switch kind {
        case .requestReceived:
            require(peer != nil, "peer"); require(requestHash != nil, "requestHash");
            require(resource != nil, "resource")
        case .requestRefused:
            require(requestHash != nil, "requestHash"); require(reason != nil, "reason")
        case .decision:
            require(requestHash != nil, "requestHash"); require(request != nil, "request");
            require(decision != nil, "decision")
        case .disclosure:
            require(peer != nil, "peer"); require(requestHash != nil, "requestHash");
            require(resource != nil, "resource")
            require(fields != nil, "fields"); require(recordCount != nil, "recordCount");
            require(responseHash != nil, "responseHash")
        case .receipt:
            require(peer != nil, "peer"); require(requestHash != nil, "requestHash");
            require(resource != nil, "resource")
            require(purpose != nil, "purpose"); require(fields != nil, "fields");
            require(recordCount != nil, "recordCount")
            require(responseHash != nil, "responseHash"); require(dataLifeDays != nil, "dataLifeDays");
            require(expiresAt != nil, "expiresAt")
        case .use:
            require(requestHash != nil, "requestHash"); require(purpose != nil, "purpose")
        case .purge:
            require(requestHash != nil || resource != nil, "requestHash"); require(reason != nil, "reason")
        case .consentStatus:
            require(consentID != nil, "consentID"); require(consentState != nil, "consentState")
        case .agreementTransition:
            require(agreementID != nil, "agreementID"); require(agreementState != nil, "agreementState")
        case .catalogRevision:
            require(catalogRevision != nil, "catalogRevision")
        case .keyRotation:
            require(keyID != nil, "keyID")
        case .checkpointWitnessed:
            require(peer != nil, "peer"); require(checkpointSize != nil, "checkpointSize");
            require(checkpointRoot != nil, "checkpointRoot")
        }
        for (member, value) in [("requestHash", requestHash), ("responseHash", responseHash)] {
            if let value {
                issues.require(
                    Self.isHash(value), "$.\(member)", "audit.bad-hash",
                    "'\(member)' must be sha256: and 64 lowercase hex digits")
            }
        }
        return issues.issues
    }

    static func isHash(_ text: String) -> Bool {
        text.hasPrefix("sha256:") && ConsentRecord.isSHA256Hex(String(text.dropFirst(7)))
    }
}

/// Lowercase hexadecimal.
enum SeamlessHex {
    /// The digits, as ASCII bytes.
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
