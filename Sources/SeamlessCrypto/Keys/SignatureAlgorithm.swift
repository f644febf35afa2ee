/// A signature algorithm Seamless signs and verifies with, named as in JWS `alg`.
public enum SignatureAlgorithm: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Ed25519 (RFC 8032), the default.
    case ed25519 = "Ed25519"
    /// ECDSA over P-256 with SHA-256; signatures are the 64-byte r‖s form of RFC 7518 §3.4.
    case es256 = "ES256"
    /// SM2 over SM3 with the GM/T 0009 distinguishing ID `1234567812345678`; signatures are 64-byte r‖s.
    case sm2sm3 = "SM2-SM3"

    /// Reads a JWS `alg` value; `EdDSA` is accepted as Ed25519. Returns `nil` for anything else.
    public init?(jwsName: String) {
        switch jwsName {
        case "Ed25519", "EdDSA": self = .ed25519
        case "ES256": self = .es256
        case "SM2-SM3": self = .sm2sm3
        default: return nil
        }
    }

    /// Reads a command-line spelling: `ed25519`, `p256`, `es256`, `sm2`, or a JWS name.
    public init?(commandLineName: String) {
        switch commandLineName.lowercased() {
        case "ed25519", "eddsa": self = .ed25519
        case "p256", "p-256", "es256", "ecdsa": self = .es256
        case "sm2", "sm2-sm3": self = .sm2sm3
        default: return nil
        }
    }

    /// The JWS `alg` name Seamless writes.
    public var jwsName: String { rawValue }

    /// The length of a signature in bytes (r‖s for the ECDSA-style algorithms).
    public var signatureLength: Int { 64 }

    public var description: String { rawValue }

    /// The OpenSSL key type name used for generation.
    var openSSLKeyType: String {
        switch self {
        case .ed25519: "ED25519"
        case .es256: "EC"
        case .sm2sm3: "SM2"
        }
    }
}
