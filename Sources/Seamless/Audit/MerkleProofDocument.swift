import SeamlessCrypto

/// A Merkle proof as a file an auditor can pass around and check against signed checkpoints.
public struct MerkleProofDocument: Codable, Sendable, Hashable {
    /// `inclusion` or `consistency`.
    public enum Kind: String, Codable, Sendable {
        case inclusion, consistency
    }

    /// What the proof proves.
    public var type: Kind
    /// The log, `<node>/audit`.
    public var origin: String
    /// Inclusion: the entry's sequence number.
    public var sequence: Int?
    /// Inclusion: the entry's leaf hash, base64.
    public var leafHash: String?
    /// Inclusion: the tree size the proof is for. Consistency: the newer size.
    public var treeSize: Int
    /// Consistency: the older size.
    public var oldSize: Int?
    /// The proof hashes, base64, in RFC 9162 order.
    public var hashes: [String]

    /// Creates a proof document.
    public init(
        type: Kind, origin: String, sequence: Int? = nil, leafHash: String? = nil, treeSize: Int, oldSize: Int? = nil,
        hashes: [String]
    ) {
        self.type = type
        self.origin = origin
        self.sequence = sequence
        self.leafHash = leafHash
        self.treeSize = treeSize
        self.oldSize = oldSize
        self.hashes = hashes
    }

    /// Checks the proof against verified checkpoints: the one of `treeSize` (and, for consistency, the one
    /// of `oldSize`). `entry`, when given, must hash to the proof's leaf hash.
    public func check(against checkpoints: [Checkpoint], entry: [UInt8]? = nil) throws(MerkleProofError) {
        var proof: [[UInt8]] = []
        for (position, text) in hashes.enumerated() {
            guard let bytes = Base64.decode(text), bytes.count == MerkleHash.length else {
                throw .badHashLength(position: position)
            }
            proof.append(bytes)
        }
        func root(_ size: Int) throws(MerkleProofError) -> [UInt8] {
            let ofThisLog = checkpoints.filter { $0.origin == origin }
            guard let checkpoint = ofThisLog.first(where: { $0.size == size }) else {
                throw .checkpointMissing(size: size, available: ofThisLog.map(\.size).sorted())
            }
            return checkpoint.root
        }
        switch type {
        case .inclusion:
            guard let sequence else { throw .malformedDocument("has no 'sequence'; an inclusion proof needs one") }
            guard let leafText = leafHash else {
                throw .malformedDocument("has no 'leafHash'; an inclusion proof needs one")
            }
            guard let leaf = Base64.decode(leafText), leaf.count == MerkleHash.length else {
                throw .malformedDocument("has a 'leafHash' that is not a base64 32-byte hash")
            }
            if let entry, MerkleHash.leaf(entry) != leaf { throw .entryMismatch }
            try MerkleVerifier.verifyInclusion(
                leafHash: leaf, index: sequence, size: treeSize, proof: proof, root: try root(treeSize))
        case .consistency:
            guard let oldSize else { throw .malformedDocument("has no 'oldSize'; a consistency proof needs one") }
            try MerkleVerifier.verifyConsistency(
                oldSize: oldSize, newSize: treeSize, oldRoot: try root(oldSize), newRoot: try root(treeSize),
                proof: proof)
        }
    }
}
