import SeamlessCrypto

/// A node's tamper-evident audit log: entries appended to an RFC 9162 Merkle tree, durable in the store
/// before `append` returns, with concurrent appends sharing one transaction and one sync (group commit).
/// The tree's hashes are kept in memory, so appends cost O(1) hashing amortised and proofs O(log n),
/// without reading entries again.
public actor AuditLog {
    /// The most bytes one entry may have (entries are hashes and ids, never payloads).
    public static let maxEntryBytes = 64 << 10

    /// The store the entries live in.
    public let store: any Store
    /// `<node-id>/audit`.
    public let origin: String
    private let signerName: String
    private let signer: PrivateKey
    private var tree: MerkleTree
    /// The sequence number and leaf hash the next appended entry follows: the tree's end plus everything
    /// queued or in flight, so entries numbered while a batch is being written chain correctly.
    private var nextSequence: Int
    private var lastLeafHash: [UInt8]?
    private var pending:
        [(
            entry: [UInt8], leafHash: [UInt8], changes: [StoreChange],
            continuation: CheckedContinuation<Int, any Error>
        )] = []
    private var flushing = false
    private let context = DigestContext(.sha256)

    /// Sign a checkpoint whenever this many entries were appended since the last one (nil: only on demand).
    public let checkpointEvery: Int?
    private var lastCheckpointSize: Int

    /// Opens the log of node `node` in `store`, rebuilding the tree from the stored leaf hashes. With
    /// `checkpointEvery`, a checkpoint is signed and stored each time that many entries have been appended.
    public init(store: any Store, node: String, signer: PrivateKey, checkpointEvery: Int? = nil) async throws {
        self.store = store
        self.origin = "\(node)/audit"
        self.signerName = node
        self.signer = signer
        self.checkpointEvery = checkpointEvery.map { max(1, $0) }
        self.lastCheckpointSize = try await store.auditCheckpoints().last?.size ?? 0
        let tree = MerkleTree(leafHashes: try await store.auditLeafHashes())
        self.tree = tree
        self.nextSequence = tree.size
        self.lastLeafHash = tree.size > 0 ? tree.leafHash(at: tree.size - 1) : nil
    }

    /// The number of durable entries.
    public var size: Int { tree.size }

    /// Appends raw entry bytes and returns their sequence number once durable. The bytes are not
    /// numbered or chained, so a verifier can only localise a change to them by checkpoints: nodes log
    /// ``AuditEvent``s through the event overload; raw entries are for tests and foreign formats.
    public func append(_ entry: [UInt8]) async throws -> Int {
        try await append(entry, applying: [])
    }

    private func append(_ entry: [UInt8], applying changes: [StoreChange]) async throws -> Int {
        guard entry.count <= Self.maxEntryBytes else {
            throw StoreError(
                .refused,
                "an audit entry of \(entry.count) bytes exceeds the \(Self.maxEntryBytes)-byte limit; log hashes, not payloads"
            )
        }
        let leafHash = MerkleHash.leaf(entry, using: context)
        nextSequence += 1
        lastLeafHash = leafHash
        return try await withCheckedThrowingContinuation { continuation in
            pending.append((entry, leafHash, changes, continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    /// Writes whatever is pending as one transaction per round until nothing is left: every append that
    /// arrives while a transaction is in flight joins the next one.
    private func flush() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let start = tree.size
            do {
                try await store.appendAuditEntries(
                    batch.map { ($0.entry, $0.leafHash) }, from: start, applying: batch.flatMap(\.changes))
                for item in batch { tree.append(leafHash: item.leafHash) }
                if let every = checkpointEvery, tree.size - lastCheckpointSize >= every {
                    // The entries are durable already; if signing fails, the next checkpoint covers them.
                    _ = try? await checkpoint()
                }
                for (offset, item) in batch.enumerated() {
                    item.continuation.resume(returning: start + offset)
                }
            } catch {
                // Entries queued behind a failed batch were numbered and chained after it: fail them too.
                for item in batch + pending { item.continuation.resume(throwing: error) }
                pending = []
                nextSequence = tree.size
                lastLeafHash = tree.size > 0 ? tree.leafHash(at: tree.size - 1) : nil
            }
        }
        flushing = false
    }

    /// Appends a valid event, numbered and chained to the entry before it, and returns its sequence number
    /// once it is durable. `changes` commit in the same transaction as the entry: both or neither.
    public func append(_ event: AuditEvent, applying changes: [StoreChange] = []) async throws -> Int {
        let issues = event.validationIssues()
        guard issues.isEmpty else { throw DocumentError(source: "audit event", issues: issues) }
        var numbered = event
        numbered.sequence = nextSequence
        numbered.previous = lastLeafHash.map { SeamlessHex.encode($0) }
        return try await append(numbered.entry, applying: changes)
    }

    /// The current checkpoint, signed by the node key and stored.
    public func checkpoint() async throws -> SignedNote {
        let checkpoint = Checkpoint(origin: origin, size: tree.size, root: tree.root())
        let note = try checkpoint.signed(name: signerName, with: signer)
        try await store.saveAuditCheckpoint(size: checkpoint.size, note: note.serialized)
        lastCheckpointSize = checkpoint.size
        return note
    }

    /// Signs a checkpoint every `interval` if entries were appended since the last one, until the calling
    /// task is cancelled: a node runs this beside its server, so no entry stays uncovered for longer than
    /// `interval` (plus the sync). A signing that fails is tried again at the next tick; the entries it
    /// would have covered are durable already.
    public func checkpointPeriodically(every interval: Duration) async {
        while true {
            do { try await Task.sleep(for: interval) } catch { return }
            if tree.size > lastCheckpointSize { _ = try? await checkpoint() }
        }
    }

    /// The root of the log at `size` entries.
    public func root(size: Int) throws(MerkleProofError) -> [UInt8] {
        guard size <= tree.size else { throw .sizeBeyondTree(size: size, treeSize: tree.size) }
        return tree.root(size: size)
    }

    /// The inclusion proof of entry `sequence` in the log at `size` entries.
    public func inclusionProof(sequence: Int, size: Int) throws(MerkleProofError) -> [[UInt8]] {
        try tree.inclusionProof(index: sequence, size: size)
    }

    /// The consistency proof between two sizes of the log.
    public func consistencyProof(from oldSize: Int, to newSize: Int) throws(MerkleProofError) -> [[UInt8]] {
        try tree.consistencyProof(oldSize: oldSize, newSize: newSize)
    }
}
