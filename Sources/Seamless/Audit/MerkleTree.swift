import SeamlessCrypto

/// An append-only Merkle tree that keeps the hash of every complete, aligned subtree, so appends cost one
/// leaf hash plus one node hash amortised, and roots and proofs for any earlier size cost O(log n) hashes
/// without reading an entry again.
///
/// Not thread-safe: the audit log owns one and serialises appends.
public struct MerkleTree: Sendable {
    /// `levels[k][i - bases[k]]` is the hash of leaves `i·2^k ..< (i+1)·2^k`. The bases are 0 but for a
    /// tree continued from a frontier, which knows nothing left of the frontier's subtrees.
    private var levels: [[MerkleHash.Value]] = [[]]
    private var bases: [Int] = [0]
    /// The first leaf this tree knows: 0, but for a tree continued from a frontier.
    public private(set) var firstLeaf = 0
    private let hasher = SharedNodeHasher()

    /// Creates an empty tree.
    public init() {}

    /// Continues a tree of `size` leaves from its frontier: the roots of the complete subtrees that
    /// ``frontier`` returns, largest first. Such a tree has roots for sizes from `size` on, and inclusion
    /// proofs for leaves from `size` on, but knows no leaf before `size`.
    public init?(size: Int, frontier: [[UInt8]]) {
        guard size >= 0, frontier.count == size.nonzeroBitCount else { return nil }
        let height = Int.bitWidth - size.leadingZeroBitCount
        firstLeaf = size
        levels = Array(repeating: [], count: max(height, 1))
        bases = (0..<max(height, 1)).map { size >> $0 }
        var remaining = frontier[...]
        for level in stride(from: height - 1, through: 0, by: -1) where size & (1 << level) != 0 {
            guard let value = remaining.popFirst().flatMap({ MerkleHash.Value($0) }) else { return nil }
            levels[level] = [value]
            bases[level] -= 1
        }
    }

    /// The roots of the complete subtrees that make up the tree of `size` leaves (one per one-bit of the
    /// size, largest first): all that is needed to go on appending and to prove what follows.
    public func frontier(size: Int? = nil) -> [[UInt8]] {
        let size = size ?? self.size
        precondition(size >= firstLeaf && size <= self.size, "frontier of size \(size) asked of a tree of \(self.size)")
        var start = 0
        var hashes: [[UInt8]] = []
        for level in stride(from: Int.bitWidth - 1, through: 0, by: -1) where size & (1 << level) != 0 {
            hashes.append(stored(level, start >> level).bytes)
            start += 1 << level
        }
        return hashes
    }

    /// Creates a tree over existing leaf hashes.
    public init(leafHashes: [[UInt8]]) {
        for hash in leafHashes { append(leafHash: hash) }
    }

    /// The number of leaves.
    public var size: Int { bases[0] + levels[0].count }

    /// Appends a leaf by its hash (``MerkleHash/leaf(_:)``), which must be 32 bytes.
    public mutating func append(leafHash: [UInt8]) {
        guard let value = MerkleHash.Value(leafHash) else {
            preconditionFailure("a leaf hash has \(MerkleHash.length) bytes, not \(leafHash.count)")
        }
        append(leafHash: value)
    }

    /// Appends a leaf by its hash.
    public mutating func append(leafHash: MerkleHash.Value) {
        levels[0].append(leafHash)
        var level = 0
        // A new leaf completes one subtree per trailing one-bit of the new size.
        while (bases[level] + levels[level].count) % 2 == 0 {
            let count = levels[level].count
            let parent = hasher.node(levels[level][count - 2], levels[level][count - 1])
            if levels.count == level + 1 {
                levels.append([])
                bases.append(0)
            }
            levels[level + 1].append(parent)
            level += 1
        }
    }

    /// The leaf hash at `index`.
    public func leafHash(at index: Int) -> [UInt8] {
        stored(0, index).bytes
    }

    /// The root of the tree's first `size` leaves (the tree as it was at that size).
    public func root(size: Int? = nil) -> [UInt8] {
        let size = size ?? self.size
        precondition(
            size >= firstLeaf && size <= self.size,
            "root of size \(size) asked of a tree of \(firstLeaf)…\(self.size)")
        return size == 0 ? MerkleHash.emptyRoot : subtreeHash(0, size).bytes
    }

    /// RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the tree of `size` leaves.
    public func inclusionProof(index: Int, size: Int) throws(MerkleProofError) -> [[UInt8]] {
        guard size <= self.size else { throw .sizeBeyondTree(size: size, treeSize: self.size) }
        guard index >= 0, index < size else { throw .indexOutOfRange(index: index, size: size) }
        guard index >= firstLeaf else { throw .beforeFirstLeaf(index: index, firstLeaf: firstLeaf) }
        var proof: [MerkleHash.Value] = []
        path(index, 0, size, into: &proof)
        return proof.map(\.bytes)
    }

    /// RFC 9162 §2.1.4.1: the consistency proof from the tree of `oldSize` leaves to the tree of `newSize`.
    public func consistencyProof(oldSize: Int, newSize: Int) throws(MerkleProofError) -> [[UInt8]] {
        guard newSize <= size else { throw .sizeBeyondTree(size: newSize, treeSize: size) }
        guard oldSize > 0, oldSize <= newSize else { throw .badSizes(oldSize: oldSize, newSize: newSize) }
        guard oldSize >= firstLeaf else { throw .beforeFirstLeaf(index: oldSize, firstLeaf: firstLeaf) }
        var proof: [MerkleHash.Value] = []
        if oldSize < newSize { subproof(oldSize, 0, newSize, true, into: &proof) }
        return proof.map(\.bytes)
    }

    /// MTH(D[start ..< end]): split at the largest power of two below the width, down to stored subtrees.
    private func subtreeHash(_ start: Int, _ end: Int) -> MerkleHash.Value {
        let width = end - start
        if width & (width - 1) == 0 {
            let level = width.trailingZeroBitCount
            return stored(level, start >> level)
        }
        let split = Self.largestPowerOfTwo(below: width)
        return hasher.node(subtreeHash(start, start + split), subtreeHash(start + split, end))
    }

    /// The stored hash of subtree `index` at `level`.
    private func stored(_ level: Int, _ index: Int) -> MerkleHash.Value {
        precondition(index >= bases[level], "the tree continues from a frontier and knows no subtree before it")
        return levels[level][index - bases[level]]
    }

    /// PATH(m, D[start ..< end]) of RFC 9162 §2.1.3.1, leaf-to-root order.
    private func path(_ index: Int, _ start: Int, _ end: Int, into proof: inout [MerkleHash.Value]) {
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
    private func subproof(_ old: Int, _ start: Int, _ end: Int, _ complete: Bool, into proof: inout [MerkleHash.Value])
    {
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
