import SeamlessCrypto

/// An append-only Merkle tree that keeps the hash of every complete, aligned subtree, so appends cost one
/// leaf hash plus one node hash amortised, and roots and proofs for any earlier size cost O(log n) hashes
/// without reading an entry again.
///
/// Not thread-safe: the audit log owns one and serialises appends.
public struct MerkleTree: Sendable {
    /// `levels[k][i]` is the hash of leaves `i·2^k ..< (i+1)·2^k`.
    private var levels: [[[UInt8]]] = [[]]
    private let hasher = SharedNodeHasher()

    /// Creates an empty tree.
    public init() {}

    /// Creates a tree over existing leaf hashes.
    public init(leafHashes: [[UInt8]]) {
        for hash in leafHashes { append(leafHash: hash) }
    }

    /// The number of leaves.
    public var size: Int { levels[0].count }

    /// Appends a leaf by its hash (``MerkleHash/leaf(_:)``).
    public mutating func append(leafHash: [UInt8]) {
        levels[0].append(leafHash)
        var level = 0
        // A new leaf completes one subtree per trailing one-bit of the new size.
        while levels[level].count % 2 == 0 {
            let count = levels[level].count
            let parent = hasher.node(levels[level][count - 2], levels[level][count - 1])
            if levels.count == level + 1 { levels.append([]) }
            levels[level + 1].append(parent)
            level += 1
        }
    }

    /// The leaf hash at `index`.
    public func leafHash(at index: Int) -> [UInt8] {
        levels[0][index]
    }

    /// The root of the tree's first `size` leaves (the tree as it was at that size).
    public func root(size: Int? = nil) -> [UInt8] {
        let size = size ?? self.size
        precondition(size >= 0 && size <= self.size, "root of size \(size) asked of a tree of \(self.size)")
        return size == 0 ? MerkleHash.emptyRoot : subtreeHash(0, size)
    }

    /// RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the tree of `size` leaves.
    public func inclusionProof(index: Int, size: Int) throws(MerkleProofError) -> [[UInt8]] {
        guard size <= self.size else { throw .sizeBeyondTree(size: size, treeSize: self.size) }
        guard index >= 0, index < size else { throw .indexOutOfRange(index: index, size: size) }
        var proof: [[UInt8]] = []
        path(index, 0, size, into: &proof)
        return proof
    }

    /// RFC 9162 §2.1.4.1: the consistency proof from the tree of `oldSize` leaves to the tree of `newSize`.
    public func consistencyProof(oldSize: Int, newSize: Int) throws(MerkleProofError) -> [[UInt8]] {
        guard newSize <= size else { throw .sizeBeyondTree(size: newSize, treeSize: size) }
        guard oldSize > 0, oldSize <= newSize else { throw .badSizes(oldSize: oldSize, newSize: newSize) }
        var proof: [[UInt8]] = []
        if oldSize < newSize { subproof(oldSize, 0, newSize, true, into: &proof) }
        return proof
    }

    /// MTH(D[start ..< end]): split at the largest power of two below the width, down to stored subtrees.
    private func subtreeHash(_ start: Int, _ end: Int) -> [UInt8] {
        let width = end - start
        if width & (width - 1) == 0 {
            let level = width.trailingZeroBitCount
            return levels[level][start >> level]
        }
        let split = Self.largestPowerOfTwo(below: width)
        return hasher.node(subtreeHash(start, start + split), subtreeHash(start + split, end))
    }

    /// PATH(m, D[start ..< end]) of RFC 9162 §2.1.3.1, leaf-to-root order.
    private func path(_ index: Int, _ start: Int, _ end: Int, into proof: inout [[UInt8]]) {
        let width = end - start
        guard width > 1 else { return }
        let split = Self.largestPowerOfTwo(below: width)
        if index < split {
            path(index, start, start + split, into: &proof)
            proof.append(subtreeHash(start + split, end))
        } else {
            path(index - split, start + split, end, into: &proof)
            proof.append(subtreeHash(start, start + split))
        }
    }

    /// SUBPROOF(m, D[start ..< end], b) of RFC 9162 §2.1.4.1.
    private func subproof(_ old: Int, _ start: Int, _ end: Int, _ complete: Bool, into proof: inout [[UInt8]]) {
        let width = end - start
        if old == width {
            if !complete { proof.append(subtreeHash(start, end)) }
            return
        }
        let split = Self.largestPowerOfTwo(below: width)
        if old <= split {
            subproof(old, start, start + split, complete, into: &proof)
            proof.append(subtreeHash(start + split, end))
        } else {
            subproof(old - split, start + split, end, false, into: &proof)
            proof.append(subtreeHash(start, start + split))
        }
    }

    /// The largest power of two strictly below `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }
}
