import COpenSSL

/// A hash function Seamless uses.
public enum DigestAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// SHA-256 (FIPS 180-4): kids, audit leaves, manifests.
    case sha256 = "SHA-256"
    /// SM3 (GB/T 32905): for SM2 signatures and deployments that require Chinese algorithms.
    case sm3 = "SM3"

    /// Digest length in bytes.
    public var length: Int { 32 }

    public var description: String { rawValue }

    var fetched: OpaquePointer {
        switch self {
        case .sha256: FetchedAlgorithms.shared.sha256
        case .sm3: FetchedAlgorithms.shared.sm3
        }
    }
}
