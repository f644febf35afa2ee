import Foundation
import SeamlessCrypto

/// Something wrong in an audit bundle, named as precisely as the bundle allows.
public struct BundleFinding: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A stable code, e.g. `chain-broken`.
    public var code: String
    /// The entry concerned, when there is one.
    public var sequence: Int?
    /// The file concerned, when there is one.
    public var file: String?
    /// What is wrong.
    public var message: String

    public var description: String {
        let place = [file, sequence.map { "entry \($0)" }].compactMap { $0 }.joined(separator: ", ")
        return "\(code)\(place.isEmpty ? "" : " (\(place))"): \(message)"
    }
}

/// Why a bundle could not be read at all (exit 3), as opposed to read and found wanting.
public struct BundleUnreadable: Error, Sendable, CustomStringConvertible {
    /// What could not be read.
    public let reason: String
    public var description: String { reason }
}

/// The result of verifying a bundle.
public struct BundleVerification: Sendable {
    /// The manifest.
    public var manifest: AuditBundle.Manifest
    /// How many entries were read.
    public var entryCount: Int
    /// The checkpoint sizes that verified.
    public var verifiedCheckpoints: [Int]
    /// Everything found wrong, first problems first.
    public var findings: [BundleFinding]
}

/// Verifies an audit bundle offline: the manifest's hashes, every entry's form, number and chain, the
/// Merkle tree recomputed from `entries.jsonl`, every checkpoint's signature against `trust.json` and its
/// root against the tree, forks, and entries no checkpoint covers.
public enum BundleVerifier {
    /// Verifies the bundle in the folder `path`.
    public static func verify(_ path: String) throws(BundleUnreadable) -> BundleVerification {
        // Files are read once, without copying into arrays: entries.jsonl can be gigabytes.
        var cache: [String: Data] = [:]
        func read(_ name: String) -> Data? {
            if let cached = cache[name] { return cached }
            let data = try? Data(contentsOf: URL(fileURLWithPath: path + "/" + name), options: .mappedIfSafe)
            if name == "entries.jsonl" { cache[name] = data }
            return data
        }
        guard let manifestBytes = read("manifest.json") else {
            throw BundleUnreadable(reason: "'\(path)' has no manifest.json; it is not an audit bundle")
        }
        let manifest: AuditBundle.Manifest
        do {
            manifest = try JSONDecoder().decode(AuditBundle.Manifest.self, from: Data(manifestBytes))
        } catch {
            throw BundleUnreadable(reason: "manifest.json is not a readable manifest: \(error)")
        }
        guard manifest.format == AuditBundle.format else {
            throw BundleUnreadable(
                reason: "manifest.json says format '\(manifest.format)'; this tool reads \(AuditBundle.format)")
        }
        var findings: [BundleFinding] = []
        func find(_ code: String, _ message: String, sequence: Int? = nil, file: String? = nil) {
            findings.append(BundleFinding(code: code, sequence: sequence, file: file, message: message))
        }

        // 1. Every file the manifest lists is there with its hash; nothing else is.
        for (name, hash) in manifest.files.sorted(by: { $0.key < $1.key }) {
            guard let bytes = read(name) else {
                find("file-missing", "the manifest lists it but the bundle does not have it", file: name)
                continue
            }
            if AuditEvent.hash(bytes) != hash {
                find("file-changed", "its SHA-256 is not the one in the manifest", file: name)
            }
        }
        for name in listFiles(path) where name != "manifest.json" && manifest.files[name] == nil {
            find("file-unlisted", "the bundle has a file the manifest does not list", file: name)
        }

        // 2. Entries: line n is entry n, canonical JSON of an event numbered n and chained to entry n − 1.
        guard let entriesBytes = read("entries.jsonl") else {
            throw BundleUnreadable(reason: "the bundle has no entries.jsonl")
        }
        // Lines are ranges of the file: no entry is copied.
        var lines: [Range<Int>] = []
        let endsWithNewline = entriesBytes.withUnsafeBytes { file -> Bool in
            var start = 0
            while start < file.count {
                guard let base = file.baseAddress, let newline = memchr(base + start, 0x0A, file.count - start) else {
                    lines.append(start..<file.count)
                    return false
                }
                let end = base.distance(to: UnsafeRawPointer(newline))
                lines.append(start..<end)
                start = end + 1
            }
            return true
        }
        if !endsWithNewline {
            find(
                "entries-truncated", "entries.jsonl does not end with a newline: its last line may be cut off",
                file: "entries.jsonl")
        }
        let context = DigestContext(.sha256)
        var tree = MerkleTree()
        var previousHash: [UInt8]?
        var highestSequence: Int?
        entriesBytes.withUnsafeBytes { file in
            for (line, range) in lines.enumerated() {
                let bytes = UnsafeRawBufferPointer(rebasing: file[range])
                let leafHash = MerkleHash.leaf(bytes, using: context)
                defer {
                    tree.append(leafHash: leafHash)
                    previousHash = leafHash
                }
                // Skim, don't parse: every entry is checked as strict JSON, but only three members are read.
                guard
                    let members = JSONSkimmer.topLevelMembers(
                        of: bytes, wanted: ["kind", "sequence", "previous"], sortedKeys: true)
                else {
                    find(
                        "entry-not-json", "line \(line) is not valid canonical JSON", sequence: line,
                        file: "entries.jsonl")
                    // A damaged line still takes its place: the next entry is not "missing" because of it.
                    highestSequence = (highestSequence ?? -1) + 1
                    continue
                }
                guard let kind = members[0], Self.knownKinds.contains(where: { $0.elementsEqual(bytes[kind]) }) else {
                    find(
                        "entry-invalid", "line \(line) is not an audit event (no known 'kind')", sequence: line,
                        file: "entries.jsonl")
                    highestSequence = (highestSequence ?? -1) + 1
                    continue
                }
                // Compare with the highest number seen so far, so one dropped entry is reported once, not
                // again on every line after it.
                if let range = members[1], let sequence = Self.decimal(bytes[range]) {
                    let expected = highestSequence.map { $0 + 1 } ?? 0
                    if sequence > expected {
                        find(
                            "sequence-mismatch",
                            "line \(line) holds entry \(sequence): entries \(expected)…\(sequence - 1) are missing here (dropped or moved)",
                            sequence: line, file: "entries.jsonl")
                    } else if sequence < expected {
                        find(
                            "sequence-mismatch",
                            "line \(line) holds entry \(sequence), which came earlier: entries are out of order or repeated",
                            sequence: line, file: "entries.jsonl")
                    }
                    highestSequence = max(highestSequence ?? sequence, sequence)
                }
                if line > 0 && !Self.hexEquals(members[2].map { bytes[$0] }, previousHash) {
                    find(
                        "chain-broken",
                        "entry \(line) commits to a previous entry that differs from line \(line - 1): entry \(line - 1) was changed, dropped or reordered",
                        sequence: line - 1, file: "entries.jsonl")
                }
            }
        }
        if lines.count != manifest.entries {
            find(
                "entry-count", "the manifest says \(manifest.entries) entries, entries.jsonl has \(lines.count)",
                file: "entries.jsonl")
        }

        // 3. Checkpoints: signed by a trusted key, for this log, matching the recomputed tree, no forks.
        var keys: [NoteKey] = []
        if let trustBytes = read("trust.json") {
            do {
                keys = try JSONDecoder().decode(AuditBundle.Trust.self, from: Data(trustBytes)).noteKeys()
            } catch {
                find("trust-unreadable", "trust.json cannot be read: \(error)", file: "trust.json")
            }
        } else {
            find("file-missing", "there is no trust.json, so no checkpoint can be verified", file: "trust.json")
        }
        var verified: [Int: [UInt8]] = [:]
        let checkpointFiles = listFiles(path + "/checkpoints").filter { $0.hasSuffix(".note") }
        // Well-named files (`<size>.note`) first, in size order, so a forged extra file is the one reported.
        func order(_ name: String) -> (Int, String) { (Int(name.dropLast(5)) ?? Int.max, name) }
        for name in checkpointFiles.sorted(by: { order($0) < order($1) }) {
            let file = "checkpoints/\(name)"
            guard let bytes = read(file) else { continue }
            let checkpoint: Checkpoint
            do {
                (checkpoint, _) = try Checkpoint.open(String(decoding: bytes, as: UTF8.self), keys: keys)
            } catch {
                switch error.code {
                case .notVerified:
                    find("checkpoint-unknown-key", "no key in trust.json signed it: \(error.reason)", file: file)
                case .badSignature: find("checkpoint-bad-signature", error.reason, file: file)
                default: find("checkpoint-unreadable", error.reason, file: file)
                }
                continue
            }
            if name != "\(checkpoint.size).note" {
                find(
                    "checkpoint-misnamed", "it is the checkpoint of size \(checkpoint.size) but is named \(name)",
                    file: file)
            }
            if checkpoint.origin != manifest.origin {
                find("checkpoint-origin", "it is for log '\(checkpoint.origin)', not '\(manifest.origin)'", file: file)
                continue
            }
            if let other = verified[checkpoint.size], other != checkpoint.root {
                find(
                    "checkpoint-fork",
                    "two signed checkpoints for size \(checkpoint.size) have different roots: the log forked",
                    file: file)
                continue
            }
            verified[checkpoint.size] = checkpoint.root
            if checkpoint.size > tree.size {
                find(
                    "checkpoint-beyond-entries",
                    "it covers \(checkpoint.size) entries but the bundle has \(tree.size): entries at the end were dropped",
                    file: file)
            } else if tree.root(size: checkpoint.size) != checkpoint.root {
                find(
                    "checkpoint-root-mismatch",
                    "the root of the first \(checkpoint.size) entries is not the signed one: an entry before \(checkpoint.size) was changed, dropped or reordered",
                    file: file)
            }
        }
        // Consecutive checkpoints must be consistent; against one recomputed tree they are unless a root differs,
        // which is reported above. Two checkpoints that fork without sharing a size show as a root mismatch.
        let sizes = verified.keys.sorted()
        if let last = sizes.last {
            if last < tree.size {
                find(
                    "entries-uncovered",
                    "entries \(last)…\(tree.size - 1) are after the last signed checkpoint (\(last)): nothing proves they were logged as they are",
                    sequence: last)
            }
        } else {
            find("no-checkpoint", "no checkpoint verified, so nothing proves the entries are the log's")
        }

        // 4. Catalog revisions are content hashes: the file's hash must be its name.
        for name in listFiles(path + "/catalog").filter({ $0.hasSuffix(".json") }) {
            guard let bytes = read("catalog/\(name)") else { continue }
            if AuditEvent.hash(bytes) != "sha256:" + name.dropLast(5) {
                find(
                    "catalog-changed", "the catalog revision's content does not hash to its name",
                    file: "catalog/\(name)")
            }
        }
        let good = sizes.filter { size in size <= tree.size && tree.root(size: size) == verified[size] }
        return BundleVerification(
            manifest: manifest, entryCount: lines.count, verifiedCheckpoints: good, findings: findings)
    }

    private static let knownKinds: [[UInt8]] = AuditEvent.Kind.allCases.map { Array($0.rawValue.utf8) }

    /// A non-negative decimal without sign or leading zeros, or nil.
    private static func decimal(_ digits: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard !digits.isEmpty, digits.count <= 18, digits.first != UInt8(ascii: "0") || digits.count == 1 else {
            return nil
        }
        var value = 0
        for byte in digits {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// Whether lowercase hex text spells `hash` (both absent counts as equal).
    private static func hexEquals(_ text: Slice<UnsafeRawBufferPointer>?, _ hash: [UInt8]?) -> Bool {
        guard let text, let hash else { return text == nil && hash == nil }
        guard text.count == hash.count * 2 else { return false }
        let digits = SeamlessHex.digits
        var position = text.startIndex
        for byte in hash {
            guard text[position] == digits[Int(byte >> 4)], text[position + 1] == digits[Int(byte & 0xF)] else {
                return false
            }
            position += 2
        }
        return true
    }

    private static func listFiles(_ path: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [String] = []
        while let name = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files.append(name)
            }
        }
        return files.sorted()
    }
}
