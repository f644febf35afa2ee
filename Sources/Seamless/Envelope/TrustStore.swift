import Foundation
import SeamlessCrypto

/// A public key an opener accepts signatures from, optionally bound to a node and a validity period.
public struct TrustedKey: Sendable, Hashable {
    /// The key.
    public var publicKey: PublicKey
    /// The node the key belongs to; when set, an envelope's `iss` must equal it.
    public var nodeID: String?
    /// The first moment the key may sign.
    public var validFrom: Date?
    /// The moment after which the key may no longer sign.
    public var validUntil: Date?

    /// Creates a trusted key.
    public init(_ publicKey: PublicKey, nodeID: String? = nil, validFrom: Date? = nil, validUntil: Date? = nil) {
        self.publicKey = publicKey
        self.nodeID = nodeID
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// Whether the key may have signed at `moment`.
    public func isValid(at moment: Date) -> Bool {
        if let validFrom, moment < validFrom { return false }
        if let validUntil, moment > validUntil { return false }
        return true
    }
}

/// The keys an opener trusts, by key id. Only keys in here are ever used to verify.
public struct TrustStore: Sendable {
    private var keys: [String: TrustedKey]

    /// Creates a store; a later key with the same kid replaces an earlier one.
    public init(_ keys: [TrustedKey] = []) {
        self.keys = Dictionary(keys.map { ($0.publicKey.kid, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Adds or replaces a key.
    public mutating func add(_ key: TrustedKey) {
        keys[key.publicKey.kid] = key
    }

    /// The trusted key with `kid`, if any.
    public func key(for kid: String) -> TrustedKey? {
        keys[kid]
    }

    /// The number of trusted keys.
    public var count: Int { keys.count }
}
