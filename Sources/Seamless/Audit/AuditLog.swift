import Foundation
import SeamlessCrypto

/// A node's tamper-evident audit log: entries appended to an RFC 9162 Merkle tree, durable in the store
/// before `append` returns, with concurrent appends sharing one transaction and one sync (group commit).
/// The tree's hashes are kept in memory, so appends cost O(1) hashing amortised and proofs O(log n),
/// without reading entries again. Several logs may write one database (the serving node and a CLI command
/// in another process): entries are numbered and chained when their transaction is built, and a batch
/// that finds the log grown by another writer catches up and is numbered again.
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
    private var pending: [Pending] = []
    private var flushing = false
    private let context = DigestContext(.sha256)

    /// Entries waiting for the next transaction, appended together (consecutive numbers, one commit).
    /// Events are numbered and chained only when their transaction is built, so a batch that loses a race
    /// with another writer can be numbered again.
    private struct Pending {
        enum Entry {
            case raw([UInt8])
            case event(AuditEvent)
        }
        var entries: [Entry]
        var changes: [StoreChange]
        /// Told the first entry's sequence number, or why nothing was written.
        var continuation: Completion
    }

    /// Where an append learns its outcome: a suspended caller, or an ``AuditTicket``.
    private enum Completion {
        case waiting(CheckedContinuation<Int, any Error>)
        case ticket(AuditTicket)

        func resume(returning sequence: Int) { resume(with: .success(sequence)) }
        func resume(throwing error: any Error) { resume(with: .failure(error)) }

        func resume(with result: Result<Int, any Error>) {
            switch self {
            case .waiting(let continuation):
                continuation.resume(with: result)
            case .ticket(let ticket):
                ticket.settle(result)
            }
        }
    }

    /// Sign a checkpoint whenever this many entries were appended since the last one (nil: only on demand).
    public let checkpointEvery: Int?
    private var lastCheckpointSize: Int

    /// How often a batch is numbered again after another writer (another process on the same database)
    /// appended first, before the appends fail.
    static let maxConflictRetries = 16

    /// Opens the log of node `node` in `store`, rebuilding the tree from the stored leaf hashes. With
    /// `checkpointEvery`, a checkpoint is signed and stored each time that many entries have been appended.
    public init(store: any Store, node: String, signer: PrivateKey, checkpointEvery: Int? = nil) async throws {
        self.store = store
        self.origin = "\(node)/audit"
        self.signerName = node
        self.signer = signer
        self.checkpointEvery = checkpointEvery.map { max(1, $0) }
        self.lastCheckpointSize = try await store.auditCheckpoint(size: nil)?.size ?? 0
        self.tree = MerkleTree(leafHashes: try await store.auditLeafHashes(from: 0))
    }

    /// The number of durable entries this log has seen.
    public var size: Int { tree.size }

    /// Appends raw entry bytes and returns their sequence number once durable. The bytes are not
    /// numbered or chained, so a verifier can only localise a change to them by checkpoints: nodes log
    /// ``AuditEvent``s through the event overload; raw entries are for tests and foreign formats.
    public func append(_ entry: [UInt8]) async throws -> Int {
        try Self.checkSize(entry.count)
        return try await enqueue([.raw(entry)], changes: [])
    }

    /// Appends a valid event, numbered and chained to the entry before it, and returns its sequence number
    /// once it is durable. `changes` commit in the same transaction as the entry: both or neither.
    public func append(_ event: AuditEvent, applying changes: [StoreChange] = []) async throws -> Int {
        try Self.validate(event)
        return try await enqueue([.event(event)], changes: changes)
    }

    /// Appends several valid events as consecutive entries in one transaction (with `changes`), and returns
    /// the first one's sequence number once they are durable: one sync where there would be several.
    public func append(contentsOf events: [AuditEvent], applying changes: [StoreChange] = []) async throws -> Int {
        for event in events { try Self.validate(event) }
        guard !events.isEmpty else { return tree.size }
        return try await enqueue(events.map { .event($0) }, changes: changes)
    }

    private static func validate(_ event: AuditEvent) throws {
        let issues = event.validationIssues()
        guard issues.isEmpty else { throw DocumentError(source: "audit event", issues: issues) }
    }

    private static func checkSize(_ count: Int) throws {
        guard count <= maxEntryBytes else {
            throw StoreError(
                .refused,
                "an audit entry of \(count) bytes exceeds the \(maxEntryBytes)-byte limit; log hashes, not payloads")
        }
    }

    private func enqueue(_ entries: [Pending.Entry], changes: [StoreChange]) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(entries, changes: changes, completion: .waiting(continuation))
        }
    }

    private func enqueue(_ entries: [Pending.Entry], changes: [StoreChange], completion: Completion) {
        pending.append(Pending(entries: entries, changes: changes, continuation: completion))
        if !flushing {
            flushing = true
            Task { await self.flush() }
        }
    }

    /// Queues a valid event (with `changes`) like ``append(_:applying:)`` but returns at once: the ticket
    /// tells its sequence number once it is durable. Appends are written in the order they were queued, so
    /// a caller can queue the next while the last is still being synced, and an append that waits joins the
    /// next commit with the others waiting.
    public func enqueue(_ event: AuditEvent, applying changes: [StoreChange] = []) throws -> AuditTicket {
        try Self.validate(event)
        let ticket = AuditTicket()
        enqueue([.event(event)], changes: changes, completion: .ticket(ticket))
        return ticket
    }

    /// Writes whatever is pending as one transaction per round until nothing is left: every append that
    /// arrives while a transaction is in flight joins the next one. If another writer appended first, the
    /// tree catches up with the store and the batch is numbered again.
    private func flush() async {
        while !pending.isEmpty {
            var batch = pending
            pending = []
            Self.refuseRepeatedNonces(in: &batch)
            var conflicts = 0
            while !batch.isEmpty {
                let start = tree.size
                let (rows, oversized) = number(batch, from: start)
                if !oversized.isEmpty {
                    // An item with an entry too large fails alone; the rest is numbered again without it.
                    for index in oversized.reversed() {
                        batch[index].continuation.resume(
                            throwing: StoreError(
                                .refused,
                                "an audit entry exceeds the \(Self.maxEntryBytes)-byte limit; log hashes, not payloads")
                        )
                        batch.remove(at: index)
                    }
                    continue
                }
                do {
                    try await store.appendAuditEntries(rows, from: start, applying: batch.flatMap(\.changes))
                } catch let error as StoreError where error.change != nil {
                    // A change the store refused (a replayed nonce, a cursor that moved) fails its own item,
                    // which leaves nothing; the rest is numbered again without it.
                    guard let index = batch.firstIndex(where: { item in item.changes.contains { $0 == error.change } })
                    else {
                        for item in batch { item.continuation.resume(throwing: error) }
                        break
                    }
                    batch.remove(at: index).continuation.resume(throwing: error)
                    continue
                } catch let error as StoreError where error.code == .conflict && conflicts < Self.maxConflictRetries {
                    conflicts += 1
                    do {
                        try await catchUp()
                        continue
                    } catch {
                        for item in batch { item.continuation.resume(throwing: error) }
                        break
                    }
                } catch {
                    for item in batch { item.continuation.resume(throwing: error) }
                    break
                }
                for row in rows { tree.append(leafHash: row.leafHash) }
                if let every = checkpointEvery, tree.size - lastCheckpointSize >= every {
                    // The entries are durable already; if signing fails, the next checkpoint covers them.
                    _ = try? await checkpoint()
                }
                var next = start
                for item in batch {
                    item.continuation.resume(returning: next)
                    next += item.entries.count
                }
                break
            }
        }
        flushing = false
    }

    /// Fails every item that remembers a nonce an earlier item of the batch remembers (copies of one request
    /// sent at once): only the first can be written, and a refused nonce must name the one item it belongs to.
    private static func refuseRepeatedNonces(in batch: inout [Pending]) {
        var seen: Set<String> = []
        var index = 0
        while index < batch.count {
            let nonces = batch[index].changes.compactMap(\.nonceKey)
            if let repeated = nonces.first(where: seen.contains) {
                batch.remove(at: index).continuation.resume(
                    throwing: StoreError(.replayed, "nonce \(repeated) was used already by a request logged with it"))
                continue
            }
            seen.formUnion(nonces)
            index += 1
        }
    }

    /// Numbers and chains the batch from `start`: the bytes and leaf hash of each entry, and the positions
    /// of the items with an entry too large to log.
    private func number(_ batch: [Pending], from start: Int) -> ([(entry: [UInt8], leafHash: [UInt8])], [Int]) {
        var previous: [UInt8]? = tree.size > 0 ? tree.leafHash(at: tree.size - 1) : nil
        var rows: [(entry: [UInt8], leafHash: [UInt8])] = []
        var oversized: [Int] = []
        var sequence = start
        for (index, item) in batch.enumerated() {
            for entry in item.entries {
                let bytes: [UInt8]
                switch entry {
                case .raw(let raw): bytes = raw
                case .event(var event):
                    event.sequence = sequence
                    event.previous = previous.map { SeamlessHex.encode($0) }
                    bytes = event.entry
                }
                guard bytes.count <= Self.maxEntryBytes else {
                    oversized.append(index)
                    break
                }
                let leafHash = MerkleHash.leaf(bytes, using: context)
                rows.append((bytes, leafHash))
                previous = leafHash
                sequence += 1
            }
        }
        return (rows, oversized)
    }

    /// Catches up with other writers unless a batch of this log is being written (its commit in flight could
    /// otherwise be read and counted twice). Holds off new flushes while it reads.
    private func catchUpIfIdle() async throws {
        guard !flushing else { return }
        flushing = true
        var failure: (any Error)?
        do { try await catchUp() } catch { failure = error }
        flushing = false
        if !pending.isEmpty {
            flushing = true
            Task { await self.flush() }
        }
        if let failure { throw failure }
    }

    /// Reads the entries other writers appended since this log last looked.
    private func catchUp() async throws {
        for hash in try await store.auditLeafHashes(from: tree.size) { tree.append(leafHash: hash) }
    }

    /// The current checkpoint, signed by the node key and stored. Entries other writers appended are read
    /// first, so the checkpoint covers the whole log as it is in the store (unless a batch of this log is
    /// being written: its own commit is in flight, and reading now could count it twice).
    public func checkpoint() async throws -> SignedNote {
        try await catchUpIfIdle()
        let checkpoint = Checkpoint(origin: origin, size: tree.size, root: tree.root())
        let note = try checkpoint.signed(name: signerName, with: signer)
        try await store.saveAuditCheckpoint(size: checkpoint.size, note: note.serialized)
        lastCheckpointSize = checkpoint.size
        return note
    }

    /// The checkpoint of the whole log as stored, with any cosignatures witnesses added to it: the stored one
    /// when it covers every entry (after catching up with other writers), else a new one, signed and stored.
    public func currentCheckpoint() async throws -> (size: Int, note: String) {
        try await catchUpIfIdle()
        if let stored = try await store.auditCheckpoint(size: tree.size) { return stored }
        let size = try Checkpoint(body: try await checkpoint().text).size
        // Another writer may have stored its own note for this size first; that one is kept.
        guard let stored = try await store.auditCheckpoint(size: size) else {
            throw StoreError(.database, "the checkpoint at \(size) entries was signed but is not stored")
        }
        return stored
    }

    /// Signs a checkpoint every `interval` if entries were appended since the last one, until the calling
    /// task is cancelled: a node runs this beside its server, so no entry stays uncovered for longer than
    /// `interval` (plus the sync). A signing that fails is tried again at the next tick; the entries it
    /// would have covered are durable already.
    public func checkpointPeriodically(every interval: Duration) async {
        while true {
            do { try await Task.sleep(for: interval) } catch { return }
            try? await catchUpIfIdle()
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

/// An append queued with ``AuditLog/enqueue(_:applying:)``: its sequence number once durable. Any number
/// of tasks may wait for it; waiting is not cancelled with the waiting task, because the append is not.
public final class AuditTicket: @unchecked Sendable {
    // Guarded by `lock`.
    private var outcome: Result<Int, any Error>?
    private var waiting: [CheckedContinuation<Int, any Error>] = []
    private let lock = NSLock()

    init() {}

    /// Records the outcome and wakes whoever waits.
    func settle(_ result: Result<Int, any Error>) {
        let waiters = lock.withLock {
            outcome = result
            defer { waiting = [] }
            return waiting
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// The appended entry's sequence number, once it is durable; the store's error if it was not written.
    public var sequence: Int {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let known = lock.withLock {
                    if outcome == nil { waiting.append(continuation) }
                    return outcome
                }
                if let known { continuation.resume(with: known) }
            }
        }
    }
}
