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
    /// The tree recomputed from the entries (continued from `prefix.json` when the bundle starts later),
    /// for proofs.
    public var tree: MerkleTree
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
        guard NodeID.isValid(manifest.node), manifest.origin == "\(manifest.node)/audit" else {
            throw BundleUnreadable(
                reason:
                    "manifest.json names node '\(manifest.node)' and origin '\(manifest.origin)'; the origin of a node's log is '<node id>/audit'"
            )
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
        let split = entriesBytes.withUnsafeBytes { EntryLines($0) }
        let lines = split.ranges
        if !split.endsWithNewline {
            find(
                "entries-truncated", "entries.jsonl does not end with a newline: its last line may be cut off",
                file: "entries.jsonl")
        }
        // A bundle exported `--from` a later entry continues the tree from prefix.json's frontier.
        let first = manifest.first ?? 0
        var tree = MerkleTree()
        var previousHash: MerkleHash.Value?
        var highestSequence: Int?
        if first > 0 {
            guard let bytes = read("prefix.json"),
                let prefix = try? JSONDecoder().decode(AuditBundle.Prefix.self, from: bytes), prefix.size == first,
                let frontier = Optional(prefix.frontier.compactMap { Base64.decode($0) }),
                frontier.count == prefix.frontier.count,
                let continued = MerkleTree(size: first, frontier: frontier),
                let previous = Self.unhex(prefix.previous)
            else {
                throw BundleUnreadable(
                    reason:
                        "the bundle starts at entry \(first) but has no readable prefix.json with the tree of the entries before (size \(first), frontier, previous)"
                )
            }
            tree = continued
            previousHash = previous
            highestSequence = first - 1
        } else if first < 0 {
            throw BundleUnreadable(
                reason: "manifest.json says the first entry is \(first); entries are numbered from 0")
        }
        entriesBytes.withUnsafeBytes { file in
            // Hashing and skimming are independent per line, so they run on every core, a block at a time;
            // the chain and sequence checks then walk the block in order.
            let blockSize = 1 << 15
            var facts = [LineFacts](repeating: LineFacts(), count: min(blockSize, lines.count))
            for blockStart in stride(from: 0, to: lines.count, by: blockSize) {
                let block = blockStart..<min(blockStart + blockSize, lines.count)
                Self.skim(file, lines: lines[block], into: &facts)
                for line in block {
                    let fact = facts[line - blockStart]
                    let number = first + line
                    defer {
                        tree.append(leafHash: fact.leafHash)
                        previousHash = fact.leafHash
                    }
                    let bytes = UnsafeRawBufferPointer(rebasing: file[lines[line]])
                    switch fact.form {
                    case .notJSON:
                        find(
                            "entry-not-json", "line \(line) (entry \(number)) is not valid canonical JSON",
                            sequence: number,
                            file: "entries.jsonl")
                        // A damaged line still takes its place: the next entry is not "missing" because of it.
                        highestSequence = (highestSequence ?? -1) + 1
                        continue
                    case .notEvent:
                        find(
                            "entry-invalid", "line \(line) (entry \(number)) is not an audit event (no known 'kind')",
                            sequence: number,
                            file: "entries.jsonl")
                        highestSequence = (highestSequence ?? -1) + 1
                        continue
                    case .event:
                        break
                    }
                    // Compare with the highest number seen so far, so one dropped entry is reported once, not
                    // again on every line after it.
                    if let sequence = fact.sequence {
                        let expected = highestSequence.map { $0 + 1 } ?? 0
                        if sequence > expected {
                            find(
                                "sequence-mismatch",
                                "line \(line) holds entry \(sequence): entries \(expected)…\(sequence - 1) are missing here (dropped or moved)",
                                sequence: number, file: "entries.jsonl")
                        } else if sequence < expected {
                            find(
                                "sequence-mismatch",
                                "line \(line) holds entry \(sequence), which came earlier: entries are out of order or repeated",
                                sequence: number, file: "entries.jsonl")
                        }
                        highestSequence = max(highestSequence ?? sequence, sequence)
                    }
                    if number > 0 && !Self.hexEquals(fact.previous.map { bytes[$0] }, previousHash) {
                        find(
                            "chain-broken",
                            line == 0
                                ? "entry \(number) commits to a previous entry that differs from prefix.json's: the bundle does not continue the log it claims to"
                                : "entry \(number) commits to a previous entry that differs from line \(line - 1): entry \(number - 1) was changed, dropped or reordered",
                            sequence: number - 1, file: "entries.jsonl")
                    }
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
            if checkpoint.size < first {
                find(
                    "checkpoint-before-first",
                    "it covers \(checkpoint.size) entries, but this bundle starts at entry \(first), so its root cannot be recomputed here",
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
            manifest: manifest, entryCount: lines.count, verifiedCheckpoints: good, findings: findings, tree: tree)
    }

    /// What one line of `entries.jsonl` is, found without regard to its neighbours.
    private struct LineFacts {
        enum Form { case notJSON, notEvent, event }
        var leafHash = MerkleHash.Value()
        var form = Form.notJSON
        var sequence: Int?
        /// The `previous` member's text, as a range of the line.
        var previous: Range<Int>?
    }

    /// Hashes and skims `lines` of `file` into `facts[0..<lines.count]`, splitting the work across cores.
    private static func skim(
        _ file: UnsafeRawBufferPointer, lines: ArraySlice<Range<Int>>, into facts: inout [LineFacts]
    ) {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, lines.count / 1024))
        let first = lines.startIndex
        facts.withUnsafeMutableBufferPointer { facts in
            let facts = UncheckedSendable(facts)
            let file = UncheckedSendable(file)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let context = DigestContext(.sha256)
                let lower = first + lines.count * part / parts
                let upper = first + lines.count * (part + 1) / parts
                for line in lower..<upper {
                    let bytes = UnsafeRawBufferPointer(rebasing: file.value[lines[line]])
                    facts.value[line - first] = Self.facts(of: bytes, using: context)
                }
            }
        }
    }

    private static func facts(of bytes: UnsafeRawBufferPointer, using context: DigestContext) -> LineFacts {
        var fact = LineFacts()
        fact.leafHash = MerkleHash.leaf(bytes, using: context)
        // Skim, don't parse: every entry is checked as strict JSON, but only three members are read.
        guard
            let members = JSONSkimmer.topLevelMembers(
                of: bytes, wanted: ["kind", "sequence", "previous"], sortedKeys: true)
        else { return fact }
        guard let kind = members[0], knownKinds.contains(where: { $0.elementsEqual(bytes[kind]) }) else {
            fact.form = .notEvent
            return fact
        }
        fact.form = .event
        fact.sequence = members[1].flatMap { decimal(bytes[$0]) }
        fact.previous = members[2]
        return fact
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
    private static func hexEquals(_ text: Slice<UnsafeRawBufferPointer>?, _ hash: MerkleHash.Value?) -> Bool {
        guard let text, let hash else { return text == nil && hash == nil }
        guard text.count == MerkleHash.length * 2 else { return false }
        return hash.withUnsafeBytes { hash in
            SeamlessHex.digits.withUnsafeBufferPointer { digits in
                var position = text.startIndex
                for byte in hash {
                    guard text[position] == digits[Int(byte >> 4)], text[position + 1] == digits[Int(byte & 0xF)]
                    else { return false }
                    position += 2
                }
                return true
            }
        }
    }

    /// The hash spelled by 64 lowercase hex digits, or nil.
    private static func unhex(_ text: String) -> MerkleHash.Value? {
        let digits = Array(text.utf8)
        guard digits.count == MerkleHash.length * 2 else { return nil }
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case 0x30...0x39: digit - 0x30
            case 0x61...0x66: digit - 0x61 + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return MerkleHash.Value(bytes)
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
