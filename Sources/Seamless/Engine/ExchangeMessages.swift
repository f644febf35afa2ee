/// What a consumer asks a provider for: the payload of a `seamless-request+jws` envelope, whose header
/// carries the requester (`iss`), the provider (`aud`), the time (`iat`) and a fresh `nonce`.
public struct ExchangeRequest: Sendable, Hashable, Codable {
    /// The resource, `<provider>/<name>`.
    public var resource: String
    /// The fields wanted (data item names).
    public var fields: [String]
    /// Which records.
    public var selector: RecordSelector
    /// The purpose code the data is for.
    public var purpose: String
    /// The legal basis.
    public var legalBasis: LegalBasis?
    /// The consents relied on, when the basis is consent.
    public var consentIDs: [String]
    /// The subjects concerned (pseudonyms), when the basis is consent.
    public var subjects: [String]
    /// How long the requester will keep the data; the purpose's maximum when absent.
    public var dataLifeDays: Int?
    /// Refuse rather than minimise when a field cannot be granted.
    public var strict: Bool
    /// Continue after this record key (the `next` of the previous page).
    public var after: String?
    /// The most records in this page (default ``defaultPageSize``, at most ``maxPageSize``).
    public var limit: Int?

    /// Records per page when the request does not say.
    public static let defaultPageSize = 1_000
    /// The most records one page may have.
    public static let maxPageSize = 10_000

    private enum CodingKeys: String, CodingKey {
        case resource, fields, selector, purpose, legalBasis, consentIDs, subjects, dataLifeDays, strict, after, limit
    }

    /// Reads a request; `consentIDs` and `subjects` may be left out when empty, `strict` when false.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        resource = try container.decode(String.self, forKey: .resource)
        fields = try container.decode([String].self, forKey: .fields)
        selector = try container.decode(RecordSelector.self, forKey: .selector)
        purpose = try container.decode(String.self, forKey: .purpose)
        legalBasis = try container.decodeIfPresent(LegalBasis.self, forKey: .legalBasis)
        consentIDs = try container.decodeIfPresent([String].self, forKey: .consentIDs) ?? []
        subjects = try container.decodeIfPresent([String].self, forKey: .subjects) ?? []
        dataLifeDays = try container.decodeIfPresent(Int.self, forKey: .dataLifeDays)
        strict = try container.decodeIfPresent(Bool.self, forKey: .strict) ?? false
        after = try container.decodeIfPresent(String.self, forKey: .after)
        limit = try container.decodeIfPresent(Int.self, forKey: .limit)
    }

    /// Creates a request.
    public init(
        resource: String, fields: [String], selector: RecordSelector, purpose: String, legalBasis: LegalBasis?,
        consentIDs: [String] = [], subjects: [String] = [], dataLifeDays: Int? = nil, strict: Bool = false,
        after: String? = nil, limit: Int? = nil
    ) {
        self.resource = resource
        self.fields = fields
        self.selector = selector
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.consentIDs = consentIDs
        self.subjects = subjects
        self.dataLifeDays = dataLifeDays
        self.strict = strict
        self.after = after
        self.limit = limit
    }

    /// What is wrong with the request's form, before any policy is asked.
    public func problems() -> [String] {
        var problems: [String] = []
        if !ResourceID.isValid(resource) { problems.append("'\(resource)' is not a resource id") }
        if fields.isEmpty || fields.count > 512 { problems.append("ask for 1…512 fields") }
        if !PurposeCode.isValid(purpose) { problems.append("'\(purpose)' is not a purpose code") }
        if consentIDs.count > RecordSelector.maxValues || subjects.count > RecordSelector.maxValues {
            problems.append("at most \(RecordSelector.maxValues) consents and subjects")
        }
        switch selector {
        case .keys(let values), .subjects(let values):
            if values.isEmpty || values.count > RecordSelector.maxValues {
                problems.append("a selector names 1…\(RecordSelector.maxValues) values")
            }
        case .fieldEquals(let field, _):
            if !fields.contains(field) && !FieldName.isValid(field) {
                problems.append("'\(field)' is not a field name")
            }
        case .all:
            break
        case .changedSince(let version):
            if version < 0 { problems.append("changedSince is a version, 0 or more") }
            if after != nil { problems.append("a changes feed continues with changedSince, not after") }
        }
        if let limit, limit < 1 || limit > Self.maxPageSize { problems.append("limit is 1…\(Self.maxPageSize)") }
        if let days = dataLifeDays, days < 1 { problems.append("dataLifeDays is at least 1") }
        return problems
    }
}

/// A record in a response: its key, subject, and the granted fields only.
public struct ResponseRecord: Sendable, Hashable, Codable {
    /// The record's key.
    public var key: String
    /// The data subject's pseudonym, if any.
    public var subject: String?
    /// The granted fields.
    public var fields: [String: JSONValue]
    /// The record's version at the provider (changes feed answers only).
    public var version: Int?

    /// Creates a record.
    public init(key: String, subject: String?, fields: [String: JSONValue], version: Int? = nil) {
        self.key = key
        self.subject = subject
        self.fields = fields
        self.version = version
    }
}

/// Why a provider refused a request before (or instead of) deciding it.
public struct ExchangeRefusal: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A stable code: an envelope code (`unknown-key-id`, `wrong-audience`, …), `replayed-nonce`,
    /// `bad-request`, `selector-not-granted`, `already-exists`, `not-found`, `checkpoint-behind`, `too-large`
    /// or `unavailable` (`Docs/PROTOCOL.md` lists them with their HTTP statuses).
    public var code: String
    /// A sentence.
    public var reason: String

    /// Creates a refusal.
    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}

/// The provider's answer: the payload of a `seamless-response+jws` envelope. It binds the request by its
/// hash and carries either a policy decision (with the records when granted) or a refusal.
public struct ExchangeResponse: Sendable, Hashable, Codable {
    /// `sha256:<hex>` of the request envelope's bytes; absent only in a refusal of a body too large to read.
    public var requestHash: String?
    /// The decision, when the request was decided.
    public var decision: PolicyDecision?
    /// The refusal, when it was not.
    public var refusal: ExchangeRefusal?
    /// The records of this page (granted fields only).
    public var records: [ResponseRecord]
    /// The key to ask `after` for the next page; absent on the last.
    public var next: String?
    /// The provider's audit entry for the decision, as a receipt the consumer can ask an auditor about.
    public var auditSequence: Int?

    /// Creates a response.
    public init(
        requestHash: String?, decision: PolicyDecision? = nil, refusal: ExchangeRefusal? = nil,
        records: [ResponseRecord] = [], next: String? = nil, auditSequence: Int? = nil
    ) {
        self.requestHash = requestHash
        self.decision = decision
        self.refusal = refusal
        self.records = records
        self.next = next
        self.auditSequence = auditSequence
    }
}
