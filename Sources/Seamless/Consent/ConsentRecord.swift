/// The resources and fields a consent covers.
public struct ConsentScope: Sendable, Hashable, Codable {
    /// The resource id.
    public var resource: String
    /// The fields of that resource.
    public var fields: [String]

    /// Creates a scope.
    public init(resource: String, fields: [String]) {
        self.resource = resource
        self.fields = fields
    }
}

/// Proof that consent was given: what kind, where it is kept, and a hash of it — never the document.
public struct ConsentEvidence: Sendable, Hashable, Codable {
    /// The kind of evidence.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case signedForm = "signed-form"
        case eSignature = "e-signature"
        case otpConfirmation = "otp-confirmation"
        case recordedConsent = "recorded-consent"
    }

    /// The kind.
    public var type: Kind
    /// Where the evidence is filed.
    public var reference: String
    /// SHA-256 of the evidence document, 64 lowercase hex digits.
    public var sha256: String

    /// Creates evidence.
    public init(type: Kind, reference: String, sha256: String) {
        self.type = type
        self.reference = reference
        self.sha256 = sha256
    }
}

/// How and when consent was given.
public struct ConsentGiven: Sendable, Hashable, Codable {
    /// Where the subject gave it.
    public enum Channel: String, Sendable, Hashable, Codable, CaseIterable {
        case counter, online
        case mobileApp = "mobile-app"
        case paperForm = "paper-form"
    }

    /// When.
    public var at: Timestamp
    /// Where.
    public var channel: Channel
    /// The proof.
    public var evidence: ConsentEvidence

    /// Creates the record of giving.
    public init(at: Timestamp, channel: Channel, evidence: ConsentEvidence) {
        self.at = at
        self.channel = channel
        self.evidence = evidence
    }
}

/// A citizen's consent: one subject, one controller, named recipients, exactly one purpose, the resources
/// and fields it covers, a validity period and a data life. Immutable once recorded — a change is a new
/// consent; whether it is active, paused or withdrawn lives beside it (``ConsentStatus``).
public struct ConsentRecord: Sendable, Hashable, Codable {
    /// The consent id.
    public var id: String
    /// The subject's pseudonymous id.
    public var subject: String
    /// The node that collected the consent and answers for it.
    public var controller: String
    /// The nodes that may receive data under it.
    public var recipients: [String]
    /// The one purpose it is for.
    public var purpose: String
    /// The resources and fields it covers.
    public var scope: [ConsentScope]
    /// When it starts to count.
    public var start: Timestamp
    /// When it lapses.
    public var expiry: Timestamp
    /// How long a recipient may keep data received under it.
    public var dataLifeDays: Int
    /// How it was given.
    public var given: ConsentGiven

    /// Creates a consent.
    public init(
        id: String, subject: String, controller: String, recipients: [String], purpose: String,
        scope: [ConsentScope], start: Timestamp, expiry: Timestamp, dataLifeDays: Int, given: ConsentGiven
    ) {
        self.id = id
        self.subject = subject
        self.controller = controller
        self.recipients = recipients
        self.purpose = purpose
        self.scope = scope
        self.start = start
        self.expiry = expiry
        self.dataLifeDays = dataLifeDays
        self.given = given
    }

    /// The fields of `resource` the consent covers (empty if it does not cover the resource).
    public func fields(of resource: String) -> [String] {
        scope.first { $0.resource == resource }?.fields ?? []
    }
}

extension ConsentRecord: ValidatableDocument {
    public static var documentName: String { "consent" }

    public func validationIssues() -> [ValidationIssue] {
        var issues = IssueCollector()
        issues.require(
            RecordID.isValid(id), "$.id", "consent.bad-id", "'\(id)' is not a record id like consent-2026-000117")
        issues.require(
            Self.isPseudonym(subject), "$.subject", "consent.subject-not-pseudonymous",
            "the subject must be a pseudonymous id like subj-7f3a91c2, never a name or an ID number")
        issues.require(
            NodeID.isValid(controller), "$.controller", "consent.bad-controller", "'\(controller)' is not a node id")
        issues.require(
            !recipients.isEmpty, "$.recipients", "consent.recipients-required",
            "name the departments that may receive the data")
        for (index, recipient) in recipients.enumerated() {
            issues.require(
                NodeID.isValid(recipient), "$.recipients[\(index)]", "consent.bad-recipient",
                "'\(recipient)' is not a node id")
        }
        issues.require(
            Set(recipients).count == recipients.count, "$.recipients", "consent.duplicate-recipient",
            "a recipient is listed twice")
        issues.require(
            PurposeCode.isValid(purpose), "$.purpose", "consent.bad-purpose", "'\(purpose)' is not a purpose code")
        issues.require(
            !scope.isEmpty, "$.scope", "consent.scope-required", "a consent names the resources and fields it covers")
        var resources = Set<String>()
        for (index, entry) in scope.enumerated() {
            let path = "$.scope[\(index)]"
            issues.require(
                ResourceID.isValid(entry.resource), path + ".resource", "consent.bad-resource",
                "'\(entry.resource)' is not a resource id")
            issues.require(
                resources.insert(entry.resource).inserted, path + ".resource", "consent.duplicate-resource",
                "'\(entry.resource)' is listed twice; put all its fields in one entry")
            issues.require(
                !entry.fields.isEmpty, path + ".fields", "consent.fields-required",
                "name the fields the consent covers; consent is never for everything")
            issues.require(
                Set(entry.fields).count == entry.fields.count, path + ".fields", "consent.duplicate-field",
                "a field is listed twice")
            for (fieldIndex, field) in entry.fields.enumerated() {
                issues.require(
                    FieldName.isValid(field), path + ".fields[\(fieldIndex)]", "consent.bad-field",
                    "'\(field)' is not a field name")
            }
        }
        issues.require(
            start < expiry, "$.expiry", "consent.bad-period",
            "the consent expires (\(expiry)) before it starts (\(start))")
        issues.require(
            given.at <= expiry, "$.given.at", "consent.given-after-expiry", "the consent was given after it expired")
        issues.require(
            dataLifeDays >= 1, "$.dataLifeDays", "consent.bad-data-life", "the data life is at least one day")
        issues.require(
            !given.evidence.reference.isEmpty, "$.given.evidence.reference", "consent.evidence-required",
            "consent without evidence of how it was given is not consent; name where the evidence is filed")
        issues.require(
            Self.isSHA256Hex(given.evidence.sha256), "$.given.evidence.sha256", "consent.evidence-required",
            "the evidence needs its SHA-256 as 64 lowercase hex digits")
        return issues.issues
    }

    /// Reads a consent, refusing bundled consent (several purposes) with its own rule before anything else.
    public static func read(
        from bytes: some Collection<UInt8>, source: String? = nil
    ) throws(DocumentError) -> ConsentRecord {
        let value = try DocumentReader.parse(bytes, source: source)
        if let purposes = value["purposes"] {
            let count = purposes.arrayValue?.count ?? 0
            throw DocumentError(
                source: source, path: "$.purposes", rule: "consent.bundled",
                count > 1
                    ? "this consent bundles \(count) purposes; each purpose needs its own, separate consent (PIPL Art. 14)"
                    : "a consent names exactly one 'purpose' (a string), not a 'purposes' list"
            )
        }
        if value["purpose"]?.arrayValue != nil {
            throw DocumentError(
                source: source, path: "$.purpose", rule: "consent.bundled",
                "'purpose' must be one purpose code; several purposes need separate consents")
        }
        if value["given"]?["evidence"] == nil, value["given"] != nil {
            throw DocumentError(
                source: source, path: "$.given.evidence", rule: "consent.evidence-required",
                "consent without evidence of how it was given is not consent")
        }
        return try DocumentReader.read(ConsentRecord.self, from: value, source: source)
    }

    static func isPseudonym(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (4...128).contains(bytes.count),
            bytes.allSatisfy({
                Identifiers.isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A
                    || $0 == 0x2D
            }),
            Identifiers.isLetter(bytes[0]) || (bytes[0] >= 0x30 && bytes[0] <= 0x39)
        else { return false }
        // A resident identity number (17 digits and a check digit) is not a pseudonym.
        let looksLikeIDNumber =
            bytes.count == 18 && bytes.prefix(17).allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            && (bytes[17] >= 0x30 && bytes[17] <= 0x39 || bytes[17] | 0x20 == UInt8(ascii: "x"))
        // Phone numbers and the 15-digit first-generation ID numbers are all digits; pseudonyms have letters.
        let hasLetter = bytes.contains { Identifiers.isLetter($0) && $0 | 0x20 != UInt8(ascii: "x") }
        return !looksLikeIDNumber && hasLetter
    }

    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
