import Foundation
import SeamlessCrypto

/// What a node does with its peers besides exchanging records: it publishes its catalog and keeps theirs,
/// and witnesses their audit logs — checks each new checkpoint is consistent with the last it saw,
/// cosigns it, and logs that it did — so a node cannot rewrite its history without its peers noticing.
extension ExchangeEngine {
    // MARK: Catalog

    func answerCatalog(_ bytes: [UInt8]) async -> TransportReply {
        let (caller, query): (Caller, CatalogQuery)
        switch await authenticated(CatalogQuery.self, bytes) {
        case .success(let read): (caller, query) = read
        case .failure(let refusal): return refusal.reply
        }
        do {
            let current = try await store.currentCatalog()
            var reply = CatalogReply(
                requestHash: caller.requestHash, revision: current.revision, full: true,
                entries: current.sortedEntries, removed: [])
            if let since = query.since, let previous = try await store.catalog(revision: since) {
                reply.full = false
                reply.entries = current.sortedEntries.filter { previous.entries[$0.id] != $0 }
                reply.removed = previous.entries.keys.filter { current.entries[$0] == nil }.sorted()
            }
            return try TransportReply(status: 200, body: seal(reply, to: caller.requester))
        } catch {
            return refuse(
                503, "unavailable", "the node could not read its catalog: \(error)", requestHash: caller.requestHash,
                to: caller.requester)
        }
    }

    /// Fetches `peer`'s catalog (only the changes since the one this node has) and keeps it. The result
    /// must hash to the revision the peer signed, or it is fetched whole.
    @discardableResult
    public func pullCatalog(from peer: String) async throws(ExchangeError) -> (catalog: Catalog, changed: Int) {
        let known: Catalog?
        do {
            known = try await store.peerCatalog(peer: peer)
        } catch {
            throw ExchangeError(code: "unavailable", reason: "\(error)")
        }
        var reply: CatalogReply = try await call(Self.catalogPath, CatalogQuery(since: known?.revision), peer)
        var catalog = Self.apply(reply, to: known)
        if catalog.revision != reply.revision && !reply.full {
            reply = try await call(Self.catalogPath, CatalogQuery(since: nil), peer)
            catalog = Self.apply(reply, to: nil)
        }
        guard catalog.revision == reply.revision else {
            throw ExchangeError(
                code: "bad-response",
                reason: "\(peer)'s catalog does not hash to the revision it signed (\(reply.revision))")
        }
        for entry in reply.entries {
            let issues = entry.validationIssues()
            guard entry.provider == peer, ResourceID.node(of: entry.id) == peer, issues.isEmpty else {
                throw ExchangeError(
                    code: "bad-response",
                    reason:
                        "\(peer)'s catalog has an entry \(entry.id) that is not valid or not its own: \(issues.map(\.description).joined(separator: "; "))"
                )
            }
        }
        do {
            if catalog.revision != known?.revision {
                try await store.savePeerCatalog(peer: peer, catalog: catalog, at: Timestamp(clock()))
            }
        } catch {
            throw ExchangeError(code: "unavailable", reason: "\(error)")
        }
        return (catalog, reply.entries.count + reply.removed.count)
    }

    static func apply(_ reply: CatalogReply, to known: Catalog?) -> Catalog {
        guard !reply.full, let known else { return Catalog(entries: reply.entries) }
        let removed = Set(reply.removed)
        return Catalog(entries: known.applying(reply.entries).sortedEntries.filter { !removed.contains($0.id) })
    }

    // MARK: Witnessing

    func answerCheckpoint(_ bytes: [UInt8]) async -> TransportReply {
        let (caller, query): (Caller, CheckpointQuery)
        switch await authenticated(CheckpointQuery.self, bytes) {
        case .success(let read): (caller, query) = read
        case .failure(let refusal): return refusal.reply
        }
        do {
            // As stored: it may carry other witnesses' cosignatures already.
            let (size, note) = try await log.currentCheckpoint()
            var proof: [String]?
            if let from = query.from, from > 0, from <= size {
                proof = try await log.consistencyProof(from: from, to: size).map { Base64.encode($0) }
            } else if let from = query.from, from > size {
                return refuse(
                    409, "checkpoint-behind",
                    "the log has \(size) entries, fewer than the \(from) the witness saw: it was truncated or forked",
                    requestHash: caller.requestHash, to: caller.requester)
            }
            let reply = CheckpointReply(requestHash: caller.requestHash, note: note, proof: proof)
            return try TransportReply(status: 200, body: seal(reply, to: caller.requester))
        } catch {
            return refuse(
                503, "unavailable", "the node could not sign a checkpoint: \(error)", requestHash: caller.requestHash,
                to: caller.requester)
        }
    }

    func receiveCosignature(_ bytes: [UInt8]) async -> TransportReply {
        let (caller, request): (Caller, CosignRequest)
        switch await authenticated(CosignRequest.self, bytes) {
        case .success(let read): (caller, request) = read
        case .failure(let refusal): return refusal.reply
        }
        do {
            let own = NoteKey(name: id, publicKey: sealer.key.publicKey)
            let witnessKeys = try await noteKeys(of: caller.requester)
            let note = try SignedNote.parse(request.note)
            let signers = try note.verify(with: [own] + witnessKeys)
            let checkpoint = try Checkpoint(body: note.text)
            guard signers.contains(own), signers.contains(where: { $0.name == caller.requester }),
                checkpoint.origin == log.origin,
                let stored = try await store.auditCheckpoint(size: checkpoint.size),
                let storedNote = try? SignedNote.parse(stored.note), storedNote.text == note.text
            else {
                return await badRequest(
                    caller, "the note is not one of this node's checkpoints cosigned by \(caller.requester)"
                ).reply
            }
            var merged = storedNote
            for signature in note.signatures where !merged.signatures.contains(signature) {
                if signature.name == caller.requester { merged.signatures.append(signature) }
            }
            try await store.updateAuditCheckpoint(size: checkpoint.size, note: merged.serialized)
            let receipt = CosignReceipt(requestHash: caller.requestHash, size: checkpoint.size)
            return try TransportReply(status: 200, body: seal(receipt, to: caller.requester))
        } catch let error as StoreError {
            return refuse(
                503, "unavailable", "the node could not record the cosignature: \(error)",
                requestHash: caller.requestHash, to: caller.requester)
        } catch {
            return await badRequest(caller, "the cosignature cannot be accepted: \(error)").reply
        }
    }

    /// The signed-note keys of `peer` from the federation.
    func noteKeys(of peer: String) async throws -> [NoteKey] {
        guard let member = await federation.member(peer) else { return [] }
        return try member.keys.map { NoteKey(name: peer, publicKey: try PublicKey(pemRepresentation: $0.publicKey)) }
    }

    /// What witnessing a peer's checkpoint found.
    public struct WitnessOutcome: Sendable, Hashable {
        /// The checkpoint's size.
        public var size: Int
        /// The size witnessed before (0: first time).
        public var previousSize: Int
    }

    /// Fetches `peer`'s latest checkpoint, checks its signature and its consistency with the last one this
    /// node witnessed, cosigns it, hands the cosignature back and logs `checkpoint-witnessed`. A checkpoint
    /// that is not consistent is refused (`checkpoint-inconsistent`) and the last good one kept as evidence.
    @discardableResult
    public func witness(_ peer: String) async throws(ExchangeError) -> WitnessOutcome {
        let last: (size: Int, note: String)?
        let keys: [NoteKey]
        do {
            last = try await store.witnessedCheckpoint(peer: peer)
            keys = try await noteKeys(of: peer)
        } catch {
            throw ExchangeError(code: "unavailable", reason: "\(error)")
        }
        let reply: CheckpointReply = try await call(Self.checkpointPath, CheckpointQuery(from: last?.size), peer)
        let checkpoint: Checkpoint
        let note: SignedNote
        do {
            (checkpoint, _) = try Checkpoint.open(reply.note, keys: keys)
            note = try SignedNote.parse(reply.note)
        } catch {
            throw ExchangeError(code: "bad-response", reason: "\(peer)'s checkpoint does not verify: \(error)")
        }
        guard checkpoint.origin == "\(peer)/audit" else {
            throw ExchangeError(code: "bad-response", reason: "\(peer) sent a checkpoint of '\(checkpoint.origin)'")
        }
        if let last {
            // The note was verified when it was stored; it is read again without verifying, so a key the
            // peer has since retired from the federation does not switch this check off.
            let lastCheckpoint: Checkpoint
            do {
                lastCheckpoint = try Checkpoint(body: try SignedNote.parse(last.note).text)
            } catch {
                throw ExchangeError(
                    code: "unavailable", reason: "the checkpoint of \(peer) witnessed before cannot be read: \(error)")
            }
            var proof: [[UInt8]] = []
            for (position, element) in (reply.proof ?? []).enumerated() {
                guard let hash = Base64.decode(element) else {
                    throw ExchangeError(
                        code: "bad-response", reason: "\(peer)'s consistency proof element \(position) is not base64")
                }
                proof.append(hash)
            }
            do {
                if checkpoint.size == lastCheckpoint.size {
                    guard checkpoint.root == lastCheckpoint.root else { throw MerkleProofError.equalSizesDiffer }
                } else {
                    try MerkleVerifier.verifyConsistency(
                        oldSize: lastCheckpoint.size, newSize: checkpoint.size, oldRoot: lastCheckpoint.root,
                        newRoot: checkpoint.root, proof: proof)
                }
            } catch {
                throw ExchangeError(
                    code: "checkpoint-inconsistent",
                    reason:
                        "\(peer)'s checkpoint of size \(checkpoint.size) is not consistent with the one of size \(lastCheckpoint.size) witnessed before: \(error). Keep both notes as evidence."
                )
            }
        }
        var cosigned = note
        do {
            let signature = try NoteKey.sign(note.text, name: id, with: sealer.key)
            if !cosigned.signatures.contains(where: { $0.name == id }) { cosigned.signatures.append(signature) }
        } catch {
            throw ExchangeError(code: "unavailable", reason: "the checkpoint could not be cosigned: \(error)")
        }
        let _: CosignReceipt = try await call(Self.cosignPath, CosignRequest(note: cosigned.serialized), peer)
        var event = AuditEvent(kind: .checkpointWitnessed, at: Timestamp(clock()), node: id)
        event.peer = peer
        event.checkpointSize = checkpoint.size
        event.checkpointRoot = Base64.encode(checkpoint.root)
        do {
            _ = try await log.append(event)
            try await store.saveWitnessedCheckpoint(peer: peer, size: checkpoint.size, note: cosigned.serialized)
        } catch {
            throw ExchangeError(code: "unavailable", reason: "the witnessed checkpoint could not be kept: \(error)")
        }
        return WitnessOutcome(size: checkpoint.size, previousSize: last?.size ?? 0)
    }

    /// One round with every peer: its catalog, its checkpoint, and this node's subscriptions to it. Peers
    /// that failed recently are skipped until their back-off passes. Returns what went wrong, by peer (or
    /// `subscription <agreement id>`, or `subscriptions` when they could not be read).
    public func syncPeers() async -> [String: ExchangeError] {
        var problems: [String: ExchangeError] = [:]
        let now = clock()
        for member in await federation.members where member.id != id {
            guard await state.mayContact(member.id, at: now) else { continue }
            do {
                try await pullCatalog(from: member.id)
                try await witness(member.id)
                await state.succeeded(member.id)
            } catch {
                problems[member.id] = error
                metrics.peerFailed(member.id, error.code)
                await state.failed(member.id, at: now)
            }
        }
        do {
            for (agreement, result) in try await syncSubscriptions() {
                if case .failure(let error) = result {
                    problems["subscription \(agreement)"] = error
                    metrics.peerFailed("subscription", error.code)
                }
            }
        } catch {
            problems["subscriptions"] = error
        }
        return problems
    }
}
