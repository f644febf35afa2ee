import Foundation
import SeamlessCrypto

/// What an auditor receives: a folder with the log's entries (`entries.jsonl`, line n = the bytes of entry
/// n), its signed checkpoints, every catalog revision the entries cite, the consents and agreements, the
/// node's keys (`trust.json`) and a manifest with the SHA-256 of every file.
public enum AuditBundle {
    /// The format name in `manifest.json`.
    public static let format = "seamless-audit-bundle/1"

    /// The manifest.
    public struct Manifest: Codable, Sendable, Hashable {
        /// ``AuditBundle/format``.
        public var format: String
        /// The node whose log this is.
        public var node: String
        /// `<node>/audit`.
        public var origin: String
        /// How many entries `entries.jsonl` holds.
        public var entries: Int
        /// The sequence number of the first line of `entries.jsonl` when the bundle starts later than entry 0
        /// (`export --from`); `prefix.json` then holds what the verifier needs of the entries before.
        public var first: Int?
        /// When the bundle was made.
        public var exportedAt: Timestamp
        /// `sha256:<hex>` of every other file, by path relative to the bundle.
        public var files: [String: String]
    }

    /// `prefix.json` of a bundle that starts at entry `size` > 0: the tree of the entries before, as the
    /// roots of its complete subtrees (``MerkleTree/frontier(size:)``), and the leaf hash that entry `size`
    /// must chain to. Nothing here is trusted: if it is wrong, no signed checkpoint of the bundle matches.
    public struct Prefix: Codable, Sendable, Hashable {
        /// The entries before the bundle's first.
        public var size: Int
        /// The frontier, largest subtree first, base64.
        public var frontier: [String]
        /// The leaf hash of entry `size − 1`, lowercase hex.
        public var previous: String
    }

    /// A node's public key as `trust.json` lists it.
    public struct TrustedNodeKey: Codable, Sendable, Hashable {
        /// The signature algorithm.
        public var algorithm: SignatureAlgorithm
        /// The kid.
        public var kid: String
        /// SPKI PEM.
        public var publicKey: String
    }

    /// A node and its keys.
    public struct TrustedNode: Codable, Sendable, Hashable {
        /// The node id (also the key name on its checkpoint signatures).
        public var id: String
        /// Its keys.
        public var keys: [TrustedNodeKey]
    }

    /// `trust.json`.
    public struct Trust: Codable, Sendable, Hashable {
        /// The nodes.
        public var nodes: [TrustedNode]

        /// The signed-note keys of every node; a key whose kid or algorithm does not match its PEM is refused.
        public func noteKeys() throws -> [NoteKey] {
            try nodes.flatMap { node in
                try node.keys.map { entry in
                    let key = try PublicKey(pemRepresentation: entry.publicKey)
                    guard key.kid == entry.kid, key.algorithm == entry.algorithm else {
                        throw StoreError(
                            .refused,
                            "trust.json lists kid \(entry.kid) (\(entry.algorithm)) for \(node.id), but its key is \(key.kid) (\(key.algorithm))"
                        )
                    }
                    return NoteKey(name: node.id, publicKey: key)
                }
            }
        }
    }

    /// Writes a bundle of `store`'s log (entries `from..<size`) into the new folder `path`, all or nothing.
    /// `members` are the federation members the node decided against, so replay can decide again.
    public static func export(
        store: any Store, node: String, publicKey: PublicKey, members: Set<String> = [], from: Int = 0,
        size: Int? = nil, to path: String, now: Timestamp = .now
    ) async throws {
        let manager = FileManager.default
        guard !manager.fileExists(atPath: path) else {
            throw StoreError(.refused, "'\(path)' exists; an audit bundle is written into a new folder")
        }
        if let size, size < 0 {
            throw StoreError(.refused, "an export size of \(size) entries is not possible; give 0 or more")
        }
        let leafHashes = try await store.auditLeafHashes()
        let count = min(size ?? leafHashes.count, leafHashes.count)
        guard from >= 0, from <= count else {
            throw StoreError(
                .refused,
                "an export from entry \(from) is not possible: give 0…\(count) (the log has \(leafHashes.count) entries)"
            )
        }
        let entries = try await store.auditEntries(from..<count)
        var files: [String: [UInt8]] = [:]
        files["entries.jsonl"] = entries.flatMap { $0 + [0x0A] }
        if from > 0 {
            let tree = MerkleTree(leafHashes: Array(leafHashes[..<from]))
            let prefix = Prefix(
                size: from, frontier: tree.frontier().map { Base64.encode($0) },
                previous: SeamlessHex.encode(leafHashes[from - 1]))
            files["prefix.json"] = try CanonicalJSON.encode(prefix) + [0x0A]
        }
        // Checkpoints before the first entry cannot be checked against this bundle's entries.
        for checkpoint in try await store.auditCheckpoints() where checkpoint.size >= from && checkpoint.size <= count {
            files["checkpoints/\(checkpoint.size).note"] = Array(checkpoint.note.utf8)
        }
        var revisions = Set<String>()
        let parser = JSONParser()
        for entry in entries {
            // The log's own reader (as replay uses it): no JSONDecoder per entry.
            guard let event = try? AuditEvent(json: try parser.parse(entry)) else { continue }
            if let revision = event.catalogRevision { revisions.insert(revision) }
            if let revision = event.decision?.basis.catalogRevision { revisions.insert(revision) }
        }
        for revision in revisions {
            if let catalog = try await store.catalog(revision: revision) {
                files["catalog/\(revision.replacingOccurrences(of: "sha256:", with: "")).json"] = catalog.canonicalBytes
            }
        }
        files["consents.jsonl"] = try await store.consents(subject: nil).flatMap {
            try CanonicalJSON.encode($0) + [0x0A]
        }
        files["agreements.jsonl"] = try await store.agreements().flatMap { try CanonicalJSON.encode($0) + [0x0A] }
        let trust = Trust(nodes: [
            TrustedNode(
                id: node,
                keys: [
                    TrustedNodeKey(
                        algorithm: publicKey.algorithm, kid: publicKey.kid, publicKey: publicKey.pemRepresentation)
                ])
        ])
        files["trust.json"] = try CanonicalJSON.encode(trust) + [0x0A]
        files["purposes.json"] = try CanonicalJSON.encode(try await store.purposes()) + [0x0A]
        files["members.json"] = try CanonicalJSON.encode(members.union([node]).sorted()) + [0x0A]
        files["responsibility-lists.json"] = try CanonicalJSON.encode(try await store.responsibilityLists()) + [0x0A]
        if let calendar = try await store.calendar() {
            files["calendar.json"] = try CanonicalJSON.encode(calendar) + [0x0A]
        }
        let manifest = Manifest(
            format: format, node: node, origin: "\(node)/audit", entries: count - from, first: from > 0 ? from : nil,
            exportedAt: now,
            files: files.mapValues { AuditEvent.hash($0) }
        )
        // Written beside the target and renamed into place, so a failure leaves no half bundle behind.
        let partial = path + ".partial-\(UUID().uuidString)"
        do {
            try manager.createDirectory(atPath: partial + "/checkpoints", withIntermediateDirectories: true)
            try manager.createDirectory(atPath: partial + "/catalog", withIntermediateDirectories: true)
            for (name, bytes) in files {
                try Data(bytes).write(to: URL(fileURLWithPath: partial + "/" + name))
            }
            try Data(try CanonicalJSON.encode(manifest) + [0x0A]).write(
                to: URL(fileURLWithPath: partial + "/manifest.json"))
            try manager.moveItem(atPath: partial, toPath: path)
        } catch {
            try? manager.removeItem(atPath: partial)
            throw error
        }
    }
}
