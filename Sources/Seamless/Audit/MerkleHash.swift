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
    public static func leaf(_ entry: some Collection<UInt8>, using context: DigestContext) -> [UInt8] {
        context.update([0x00])
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
        context.update([0x01])
        context.update(left)
        context.update(right)
        return context.finalize()
    }
}
