import Foundation
import SeamlessCrypto

/// Why a signed note (a checkpoint) was refused.
public struct NoteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code.
    public enum Code: String, Sendable, Hashable {
        /// Not a signed note: missing blank line, bad signature line, control characters, too large.
        case malformed
        /// No signature by a known key verifies.
        case notVerified = "not-verified"
        /// A known key's signature does not verify.
        case badSignature = "bad-signature"
        /// The body is not a checkpoint.
        case badCheckpoint = "bad-checkpoint"
    }

    /// The code.
    public let code: Code
    /// The sentence.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}

/// One signature line of a note: `— <name> base64(keyID[4] ‖ signature)`.
public struct NoteSignature: Sendable, Hashable {
    /// The key name.
    public var name: String
    /// The 4-byte key id.
    public var keyID: [UInt8]
    /// The signature bytes.
    public var signature: [UInt8]

    /// Creates a signature line.
    public init(name: String, keyID: [UInt8], signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// The line without its newline.
    public var line: String {
        "— \(name) " + Base64.encode(keyID + signature)
    }
}

/// A C2SP signed note: a text ending in a newline, a blank line, and one or more signature lines.
public struct SignedNote: Sendable, Hashable {
    /// The most bytes a note may have.
    public static let maxBytes = 1 << 20
    /// The most signature lines read.
    public static let maxSignatures = 100

    /// The signed text, including its final newline.
    public var text: String
    /// The signature lines.
    public var signatures: [NoteSignature]

    /// Creates a note.
    public init(text: String, signatures: [NoteSignature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The note as text: body, blank line, signature lines, each ending in a newline.
    public var serialized: String {
        text + "\n" + signatures.map { $0.line + "\n" }.joined()
    }

    /// Parses a note without verifying it.
    public static func parse(_ note: String) throws(NoteError) -> SignedNote {
        guard note.utf8.count <= maxBytes else {
            throw NoteError(.malformed, "the note has \(note.utf8.count) bytes, more than \(maxBytes)")
        }
        guard note.utf8.allSatisfy({ $0 >= 0x20 || $0 == 0x0A }) else {
            throw NoteError(.malformed, "the note contains control characters other than newline")
        }
        guard note.hasSuffix("\n"), let split = note.range(of: "\n\n", options: .backwards) else {
            throw NoteError(
                .malformed, "a signed note is a text, a blank line and signature lines, each ending in a newline")
        }
        let text = String(note[..<split.lowerBound]) + "\n"
        let lines = note[split.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard !lines.isEmpty else { throw NoteError(.malformed, "the note has no signature lines") }
        guard lines.count <= maxSignatures else {
            throw NoteError(.malformed, "the note has \(lines.count) signature lines, more than \(maxSignatures)")
        }
        var signatures: [NoteSignature] = []
        for (number, line) in lines.enumerated() {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "—", !parts[1].isEmpty,
                let decoded = Base64.decode(String(parts[2])), decoded.count > 4
            else {
                throw NoteError(
                    .malformed, "signature line \(number + 1) is not '— <name> <base64 key id and signature>'")
            }
            signatures.append(
                NoteSignature(
                    name: String(parts[1]), keyID: Array(decoded.prefix(4)), signature: Array(decoded.dropFirst(4))))
        }
        return SignedNote(text: text, signatures: signatures)
    }
}

/// A key that signs or verifies notes, with its signed-note name and key id. Ed25519 keys use signature
/// type 0x01 and the raw 32-byte public key, as C2SP signed-note specifies; ES256 and SM2-SM3 keys use
/// type 0xff followed by `seamless-<alg>` and the SPKI DER, and sign the text with 64-byte r‖s.
public struct NoteKey: Sendable, Hashable {
    /// The key name on signature lines.
    public let name: String
    /// The public key.
    public let publicKey: PublicKey
    /// The 4-byte key id.
    public let keyID: [UInt8]

    /// Creates a note key.
    public init(name: String, publicKey: PublicKey) {
        self.name = name
        self.publicKey = publicKey
        self.keyID = Array(Digest.sha256(Array(name.utf8) + [0x0A] + Self.typeAndKey(publicKey)).prefix(4))
    }

    /// The bytes after the newline in the key id hash: the signature type and the public key encoding.
    static func typeAndKey(_ key: PublicKey) -> [UInt8] {
        switch key.algorithm {
        case .ed25519:
            // The SPKI of an Ed25519 key is a fixed 12-byte prefix and the 32-byte key.
            return [0x01] + key.derRepresentation.suffix(32)
        case .es256, .sm2sm3:
            return [0xFF] + Array("seamless-\(key.algorithm.jwsName)".utf8) + key.derRepresentation
        }
    }

    /// Whether `signature` is this key's line and verifies over `text`.
    public func verifies(_ signature: NoteSignature, text: String) -> Bool {
        signature.name == name && signature.keyID == keyID
            && publicKey.isValidSignature(signature.signature, for: Array(text.utf8))
    }

    /// Signs `text` with `privateKey` (which must be this key's).
    public static func sign(
        _ text: String, name: String, with privateKey: PrivateKey
    ) throws(CryptoError) -> NoteSignature {
        let key = NoteKey(name: name, publicKey: privateKey.publicKey)
        return NoteSignature(name: name, keyID: key.keyID, signature: try privateKey.signature(for: Array(text.utf8)))
    }
}

extension SignedNote {
    /// Verifies the note against `keys`: signatures by unknown keys are ignored, every signature by a
    /// known key must verify, and at least one must. Returns the keys that signed.
    public func verify(with keys: [NoteKey]) throws(NoteError) -> [NoteKey] {
        var verified: [NoteKey] = []
        for signature in signatures {
            guard let key = keys.first(where: { $0.name == signature.name && $0.keyID == signature.keyID }) else {
                continue
            }
            guard key.verifies(signature, text: text) else {
                throw NoteError(.badSignature, "the signature of '\(signature.name)' does not verify")
            }
            verified.append(key)
        }
        guard !verified.isEmpty else {
            let names = signatures.map(\.name).joined(separator: ", ")
            throw NoteError(.notVerified, "no signature by a trusted key (signed by: \(names))")
        }
        return verified
    }
}
