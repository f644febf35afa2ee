/// Why an envelope was refused: a stable ``Code`` and a sentence naming what was wrong.
public struct EnvelopeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, documented error code (see `Docs/ENVELOPE.md`). New codes may be added; existing ones
    /// never change meaning.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable, CaseIterable {
            case tooLarge = "too-large"
            case badJSON = "bad-json"
            case malformed = "malformed"
            case badBase64 = "bad-base64"
            case algorithmNotAllowed = "algorithm-not-allowed"
            case unknownKeyID = "unknown-key-id"
            case keyNotValid = "key-not-valid"
            case algorithmMismatch = "algorithm-mismatch"
            case badSignature = "bad-signature"
            case unsupportedContentType = "unsupported-content-type"
            case wrongType = "wrong-type"
            case issuerMismatch = "issuer-mismatch"
            case wrongAudience = "wrong-audience"
            case notYetValid = "not-yet-valid"
            case tooOld = "too-old"
            case payloadTooLarge = "payload-too-large"
            case inflateRatioExceeded = "inflate-ratio-exceeded"
            case corruptPayload = "corrupt-payload"
            case sealFailed = "seal-failed"
        }
        fileprivate let value: Value

        /// The envelope is larger than the configured limit; nothing was parsed.
        public static let tooLarge = Code(value: .tooLarge)
        /// The envelope, its protected header or its payload is not strict JSON.
        public static let badJSON = Code(value: .badJSON)
        /// The JSON does not have the shape of a Seamless envelope or header.
        public static let malformed = Code(value: .malformed)
        /// A member that must be base64url is not canonical unpadded base64url.
        public static let badBase64 = Code(value: .badBase64)
        /// `alg` is not in the opener's allow-list (`none` and MAC algorithms never are).
        public static let algorithmNotAllowed = Code(value: .algorithmNotAllowed)
        /// `kid` names no trusted key.
        public static let unknownKeyID = Code(value: .unknownKeyID)
        /// The trusted key was not valid at the envelope's `iat`.
        public static let keyNotValid = Code(value: .keyNotValid)
        /// The trusted key is for another algorithm than `alg` claims.
        public static let algorithmMismatch = Code(value: .algorithmMismatch)
        /// The signature does not verify under the trusted key.
        public static let badSignature = Code(value: .badSignature)
        /// `cty` is not `json+zlib`.
        public static let unsupportedContentType = Code(value: .unsupportedContentType)
        /// `typ` is not one the opener expects.
        public static let wrongType = Code(value: .wrongType)
        /// `iss` is not the node the signing key belongs to.
        public static let issuerMismatch = Code(value: .issuerMismatch)
        /// `aud` is not the opening node.
        public static let wrongAudience = Code(value: .wrongAudience)
        /// `iat` lies further in the future than the allowed clock skew.
        public static let notYetValid = Code(value: .notYetValid)
        /// `iat` lies further in the past than the allowed age.
        public static let tooOld = Code(value: .tooOld)
        /// The payload inflates to more than the configured cap.
        public static let payloadTooLarge = Code(value: .payloadTooLarge)
        /// The payload inflates more per compressed byte than the ratio cap allows.
        public static let inflateRatioExceeded = Code(value: .inflateRatioExceeded)
        /// The compressed payload is not a complete, valid zlib stream.
        public static let corruptPayload = Code(value: .corruptPayload)
        /// Sealing failed: a bad argument or an OpenSSL failure while signing.
        public static let sealFailed = Code(value: .sealFailed)

        /// Every code, for documentation and exhaustive tests.
        public static var allCodes: [Code] { Value.allCases.map { Code(value: $0) } }

        /// The stable kebab-case name, e.g. `unknown-key-id`.
        public var description: String { value.rawValue }
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// A sentence naming what was wrong and where.
    public let reason: String
    /// Set when the failure came after the signature verified (steps 8–18 of `Docs/ENVELOPE.md`): the
    /// envelope is genuinely from this trusted key, so the refusal may be attributed and logged. Failures
    /// before it may come from anyone.
    public internal(set) var verifiedKeyID: String?

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
