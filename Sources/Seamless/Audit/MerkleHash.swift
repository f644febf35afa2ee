import Foundation
import SeamlessCrypto

/// The hashes of an RFC 6962 / RFC 9162 Merkle tree over SHA-256: leaves are `SHA-256(0x00 ‖ entry)`,
/// interior nodes `SHA-256(0x01 ‖ left ‖ right)`; the prefixes keep a leaf from passing for a node.
public enum MerkleHash {
    /// The length of every hash.
    public static let length = 32

    /// The root of the empty tree, `SHA-256("")`.
    public static let emptyRoot: [UInt8] = Digest.sha256([UInt8]())

    private static let leafPrefix: [UInt8] = [0x00]
    private static let nodePrefix: [UInt8] = [0x01]

    /// The leaf hash of `entry`.
    public static func leaf(_ entry: some Collection<UInt8>) -> [UInt8] {
        leaf(entry, using: DigestContext(.sha256))
    }

    /// The leaf hash of `entry`, computed with a reused context.
    public static func leaf(_ entry: some Collection<UInt8>, using context: DigestContext) -> [UInt8] {
        withContiguousBytes(entry) { leaf($0, using: context).bytes }
    }

    /// The leaf hash of `entry`, computed with a reused context.
    public static func leaf(_ entry: [UInt8], using context: DigestContext) -> [UInt8] {
        entry.withUnsafeBytes { leaf($0, using: context).bytes }
    }

    /// The leaf hash of the bytes in `entry`, computed with a reused context, without allocating.
    public static func leaf(_ entry: UnsafeRawBufferPointer, using context: DigestContext) -> Value {
        context.update(leafPrefix)
        context.update(entry)
        return Value(finalizing: context)
    }

    /// The node hash of two children.
    public static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        node(left, right, using: DigestContext(.sha256))
    }

    /// The node hash of two children, computed with a reused context.
    public static func node(_ left: [UInt8], _ right: [UInt8], using context: DigestContext) -> [UInt8] {
        context.update(nodePrefix)
        context.update(left)
        context.update(right)
        return context.finalize()
    }

    /// The node hash of two children, computed with a reused context, without allocating.
    static func node(_ left: Value, _ right: Value, using context: DigestContext) -> Value {
        context.update(nodePrefix)
        left.withUnsafeBytes { context.update($0) }
        right.withUnsafeBytes { context.update($0) }
        return Value(finalizing: context)
    }

    /// A SHA-256 hash held inline, so trees of millions of hashes cost one array per level rather than one
    /// allocation per hash.
    public struct Value: Sendable, Hashable {
        private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        /// The hash whose bytes are `bytes`, which must be 32 long.
        public init?(_ bytes: some Collection<UInt8>) {
            guard bytes.count == MerkleHash.length else { return nil }
            withUnsafeMutableBytes { output in
                for (index, byte) in bytes.enumerated() { output[index] = byte }
            }
        }

        /// All zero bytes: a placeholder, the hash of nothing.
        init() {}

        init(finalizing context: DigestContext) {
            withUnsafeMutableBytes { context.finalize(into: $0) }
        }

        /// The 32 bytes.
        public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

        /// Calls `body` with the 32 bytes.
        public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
            try Swift.withUnsafeBytes(of: words) { try body($0) }
        }

        private mutating func withUnsafeMutableBytes<Result>(
            _ body: (UnsafeMutableRawBufferPointer) throws -> Result
        ) rethrows -> Result {
            try Swift.withUnsafeMutableBytes(of: &words) { try body($0) }
        }

        public static func == (left: Value, right: Value) -> Bool {
            left.words == right.words
        }

        public func hash(into hasher: inout Hasher) {
            withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}

/// A digest context that a value type can share between copies: the lock keeps two copies used on two
/// threads from interleaving one message. Uncontended, it costs far less than a context per hash.
final class SharedNodeHasher: @unchecked Sendable {
    private let lock = NSLock()
    private let context = DigestContext(.sha256)

    func node(_ left: MerkleHash.Value, _ right: MerkleHash.Value) -> MerkleHash.Value {
        lock.lock()
        defer { lock.unlock() }
        return MerkleHash.node(left, right, using: context)
    }
}
