import SeamlessCrypto

/// A checkpoint of a node's audit log: its origin (`<node-id>/audit`), size and root hash, as the body of
/// a C2SP tlog-checkpoint signed note.
public struct Checkpoint: Sendable, Hashable {
    /// `<node-id>/audit`.
    public var origin: String
    /// The number of entries.
    public var size: Int
    /// The Merkle root over them.
    public var root: [UInt8]

    /// Creates a checkpoint.
    public init(origin: String, size: Int, root: [UInt8]) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// The note body: origin, size in decimal, base64 root, each followed by a newline.
    public var body: String {
        "\(origin)\n\(size)\n\(Base64.encode(root))\n"
    }

    /// Reads a checkpoint body.
    public init(body: String) throws(NoteError) {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard body.hasSuffix("\n"), lines.count >= 4, lines.last == "" else {
            throw NoteError(.badCheckpoint, "a checkpoint body is three lines: origin, size, base64 root hash")
        }
        guard lines.count == 4 else {
            throw NoteError(.badCheckpoint, "the checkpoint has extension lines, which Seamless does not accept")
        }
        let sizeText = lines[1]
        guard !lines[0].isEmpty else { throw NoteError(.badCheckpoint, "the checkpoint has an empty origin") }
        guard let size = Int(sizeText), size >= 0, String(size) == sizeText else {
            throw NoteError(
                .badCheckpoint, "the checkpoint size '\(sizeText)' is not a decimal number without leading zeros")
        }
        guard let root = Base64.decode(String(lines[2])), root.count == MerkleHash.length else {
            throw NoteError(.badCheckpoint, "the checkpoint root is not a base64 32-byte hash")
        }
        self.init(origin: String(lines[0]), size: size, root: root)
    }

    /// The checkpoint signed by `key` under `name`.
    public func signed(name: String, with key: PrivateKey) throws(CryptoError) -> SignedNote {
        SignedNote(text: body, signatures: [try NoteKey.sign(body, name: name, with: key)])
    }

    /// Reads and verifies a signed checkpoint.
    public static func open(_ note: String, keys: [NoteKey]) throws(NoteError) -> (Checkpoint, [NoteKey]) {
        let parsed = try SignedNote.parse(note)
        let signers = try parsed.verify(with: keys)
        return (try Checkpoint(body: parsed.text), signers)
    }
}
