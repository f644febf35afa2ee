import Foundation
import SeamlessCrypto

/// The hashes of an RFC 6962 / RFC 9162 Merkle tree over SHA-256: leaves are `SHA-256(0x00 ‖ entry)`,
/// interior nodes `SHA-256(0x01 ‖ left ‖ right)`; the prefixes keep a leaf from passing for a node.
public enum MerkleHash {
    /// The length of every hash.
    public static let length = 32

    /// The root of the empty tree, `SHA-256("")`.
    public static let emptyRoot: [UInt8] = Digest.sha256([UInt8]())

    /// The leaf hash of `entry`.
    public static func leaf(_ entry: some Collection<UInt8>) -> [UInt8] {
        let context = DigestContext(.sha256)
        return leaf(entry, using: context)
    }

    /// The leaf hash of `entry`, computed with a reused context.
    private static let leafPrefix: [UInt8] = [0x00]
    private static let nodePrefix: [UInt8] = [0x01]

    public static func leaf(_ entry: some Collection<UInt8>, using context: DigestContext) -> [UInt8] {
        context.update(leafPrefix)
        context.update(entry)
        return context.finalize()
    }

    /// The leaf hash of the bytes in `entry`, computed with a reused context.
    public static func leaf(_ entry: UnsafeRawBufferPointer, using context: DigestContext) -> [UInt8] {
        context.update(leafPrefix)
        context.update(entry)
        return context.finalize()
    }

    /// The leaf hash of `entry`, computed with a reused context.
    public static func leaf(_ entry: [UInt8], using context: DigestContext) -> [UInt8] {
        context.update(leafPrefix)
        context.update(entry)
        return context.finalize()
    }

    /// The node hash of two children.
    public static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        let context = DigestContext(.sha256)
        return node(left, right, using: context)
    }

    /// The node hash of two children, computed with a reused context.
    public static func node(_ left: [UInt8], _ right: [UInt8], using context: DigestContext) -> [UInt8] {
        context.update(nodePrefix)
        context.update(left)
        context.update(right)
        return context.finalize()
    }
}

/// A digest context that a value type can share between copies: the lock keeps two copies used on two
/// threads from interleaving one message. Uncontended, it costs far less than a context per hash.
final class SharedNodeHasher: @unchecked Sendable {
    private let lock = NSLock()
    private let context = DigestContext(.sha256)

    func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return MerkleHash.node(left, right, using: context)
    }
}
