/// Why a Merkle proof could not be made or does not verify.
public enum MerkleProofError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The leaf index is not below the tree size.
    case indexOutOfRange(index: Int, size: Int)
    /// A size larger than the tree was asked for.
    case sizeBeyondTree(size: Int, treeSize: Int)
    /// Consistency needs 0 < old size ≤ new size.
    case badSizes(oldSize: Int, newSize: Int)
    /// The proof has the wrong number of hashes for these sizes.
    case wrongLength(expected: Int, actual: Int)
    /// A proof element is not a 32-byte hash.
    case badHashLength(position: Int)
    /// The proof leads to another root.
    case rootMismatch
    /// Equal sizes need equal roots and an empty proof.
    case equalSizesDiffer
    /// No verified checkpoint of this log has the size the proof is for.
    case checkpointMissing(size: Int, available: [Int])
    /// The entry given does not hash to the proof's leaf hash.
    case entryMismatch
    /// The proof document lacks a member its type needs, or has one that cannot be read.
    case malformedDocument(String)
    /// The tree was continued from a frontier and knows nothing before its first leaf.
    case beforeFirstLeaf(index: Int, firstLeaf: Int)

    public var description: String {
        switch self {
        case .indexOutOfRange(let index, let size): "leaf index \(index) is not below tree size \(size)"
        case .sizeBeyondTree(let size, let treeSize): "tree size \(size) is beyond the log's \(treeSize) entries"
        case .badSizes(let old, let new): "a consistency proof needs 0 < old size ≤ new size, not \(old) → \(new)"
        case .wrongLength(let expected, let actual):
            "the proof has \(actual) hashes; these sizes need exactly \(expected)"
        case .badHashLength(let position): "proof element \(position) is not a 32-byte hash"
        case .rootMismatch: "the proof does not lead to the expected root"
        case .equalSizesDiffer: "for equal sizes the proof must be empty and the roots equal"
        case .checkpointMissing(let size, let available):
            "no verified checkpoint of this log has size \(size) (given: \(available.isEmpty ? "none" : available.map(String.init).joined(separator: ", ")))"
        case .entryMismatch: "the entry given does not hash to the proof's leaf hash: it is not the entry proved"
        case .malformedDocument(let reason): "the proof document \(reason)"
        case .beforeFirstLeaf(let index, let firstLeaf):
            "\(index) is before entry \(firstLeaf), where this part of the log starts: prove it from a bundle that holds it"
        }
    }
}
