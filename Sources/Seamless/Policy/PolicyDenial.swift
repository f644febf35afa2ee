/// Why a request was refused: a stable code and a sentence naming what was missing.
public struct PolicyDenial: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// A stable, documented denial code (see `Docs/POLICY.md`); `Docs/POLICY.md` gives the order the checks run in.
    public struct Code: Sendable, Hashable, Codable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable, CaseIterable {
            case requesterUnknown = "requester-unknown"
            case resourceNotFound = "resource-not-found"
            case resourceNotShared = "resource-not-shared"
            case agreementRequired = "agreement-required"
            case purposeNotAllowed = "purpose-not-allowed"
            case purposeUnknown = "purpose-unknown"
            case dataLifeExceeded = "data-life-exceeded"
            case legalBasisMissing = "legal-basis-missing"
            case legalBasisNotAllowed = "legal-basis-not-allowed"
            case consentMissing = "consent-missing"
            case consentNotFound = "consent-not-found"
            case consentWithdrawn = "consent-withdrawn"
            case consentPaused = "consent-paused"
            case consentExpired = "consent-expired"
            case consentNotYetValid = "consent-not-yet-valid"
            case consentMismatch = "consent-mismatch"
            case unknownField = "unknown-field"
            case fieldsNotShareable = "fields-not-shareable"
            case frequencyExceeded = "frequency-exceeded"
        }
        fileprivate let value: Value

        /// The requester is not a member of the federation.
        public static let requesterUnknown = Code(value: .requesterUnknown)
        /// No such resource in the provider's catalog.
        public static let resourceNotFound = Code(value: .resourceNotFound)
        /// The resource is labelled not shared (不予共享).
        public static let resourceNotShared = Code(value: .resourceNotShared)
        /// The resource is conditional and no active agreement covers this requester, purpose and fields.
        public static let agreementRequired = Code(value: .agreementRequired)
        /// The purpose is not among the resource's allowed purposes.
        public static let purposeNotAllowed = Code(value: .purposeNotAllowed)
        /// The purpose is not in the purpose registry (and there is no default).
        public static let purposeUnknown = Code(value: .purposeUnknown)
        /// The requester would keep the data longer than the purpose allows.
        public static let dataLifeExceeded = Code(value: .dataLifeExceeded)
        /// No legal basis was given.
        public static let legalBasisMissing = Code(value: .legalBasisMissing)
        /// The purpose may not rely on the legal basis given.
        public static let legalBasisNotAllowed = Code(value: .legalBasisNotAllowed)
        /// The basis is consent but no consent covers a subject.
        public static let consentMissing = Code(value: .consentMissing)
        /// A consent id names no recorded consent.
        public static let consentNotFound = Code(value: .consentNotFound)
        /// The consent was withdrawn before the request.
        public static let consentWithdrawn = Code(value: .consentWithdrawn)
        /// The consent is paused.
        public static let consentPaused = Code(value: .consentPaused)
        /// The consent has expired.
        public static let consentExpired = Code(value: .consentExpired)
        /// The consent has not started yet.
        public static let consentNotYetValid = Code(value: .consentNotYetValid)
        /// The consent is for another purpose, recipient or resource.
        public static let consentMismatch = Code(value: .consentMismatch)
        /// A requested field does not exist in the resource.
        public static let unknownField = Code(value: .unknownField)
        /// None of the requested fields may be shared with this requester, or a strict request asked for one that may not.
        public static let fieldsNotShareable = Code(value: .fieldsNotShareable)
        /// The requester has used up the purpose's frequency limit for this resource.
        public static let frequencyExceeded = Code(value: .frequencyExceeded)

        /// Every code, in check order.
        public static var allCodes: [Code] { Value.allCases.map { Code(value: $0) } }

        /// The kebab-case name, e.g. `consent-withdrawn`.
        public var description: String { value.rawValue }

        /// Reads a code from its name.
        public init?(name: String) {
            guard let value = Value(rawValue: name) else { return nil }
            self.value = value
        }

        private init(value: Value) {
            self.value = value
        }

        public init(from decoder: any Decoder) throws {
            let name = try decoder.singleValueContainer().decode(String.self)
            guard let code = Code(name: name) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "unknown denial code '\(name)'"))
            }
            self = code
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value.rawValue)
        }
    }

    /// The code.
    public let code: Code
    /// The sentence.
    public let reason: String

    /// Creates a denial.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
