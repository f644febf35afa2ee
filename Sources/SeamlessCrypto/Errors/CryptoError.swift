/// An error from the crypto core: a stable ``Code``, a sentence a person can act on, and, where OpenSSL
/// refused, OpenSSL's own reason string.
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, documented error code. New codes may be added; existing ones never change meaning.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case unsupportedAlgorithm = "unsupported-algorithm"
            case invalidKey = "invalid-key"
            case keyGenerationFailed = "key-generation-failed"
            case signingFailed = "signing-failed"
            case digestFailed = "digest-failed"
            case randomFailed = "random-failed"
            case compressionFailed = "compression-failed"
            case corruptData = "corrupt-data"
            case outputLimitExceeded = "output-limit-exceeded"
            case ratioLimitExceeded = "ratio-limit-exceeded"
            case invalidBase64 = "invalid-base64"
        }
        fileprivate let value: Value

        /// The algorithm name or key type is not one Seamless supports.
        public static let unsupportedAlgorithm = Code(value: .unsupportedAlgorithm)
        /// Key material could not be read: not PEM, encrypted, truncated, or of an unsupported type.
        public static let invalidKey = Code(value: .invalidKey)
        /// OpenSSL could not generate a key.
        public static let keyGenerationFailed = Code(value: .keyGenerationFailed)
        /// OpenSSL could not produce a signature.
        public static let signingFailed = Code(value: .signingFailed)
        /// OpenSSL could not compute a digest.
        public static let digestFailed = Code(value: .digestFailed)
        /// The system random generator failed.
        public static let randomFailed = Code(value: .randomFailed)
        /// zlib could not compress the input.
        public static let compressionFailed = Code(value: .compressionFailed)
        /// A zlib stream is corrupt, truncated or followed by trailing bytes.
        public static let corruptData = Code(value: .corruptData)
        /// Inflating would produce more bytes than the configured cap.
        public static let outputLimitExceeded = Code(value: .outputLimitExceeded)
        /// Inflating produced more output per input byte than the configured ratio cap allows.
        public static let ratioLimitExceeded = Code(value: .ratioLimitExceeded)
        /// Text is not canonical unpadded base64url.
        public static let invalidBase64 = Code(value: .invalidBase64)

        /// The stable kebab-case name of the code, e.g. `ratio-limit-exceeded`.
        public var description: String { value.rawValue }
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// A sentence naming what was wrong and where.
    public let reason: String
    /// OpenSSL's reason string when OpenSSL refused, e.g. `unsupported algorithm`.
    public let openSSLReason: String?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, openSSLReason: String? = nil) {
        self.code = code
        self.reason = reason
        self.openSSLReason = openSSLReason
    }

    public var description: String {
        if let openSSLReason {
            return "\(code): \(reason) (OpenSSL: \(openSSLReason))"
        }
        return "\(code): \(reason)"
    }
}
